//! Pages of items in each of DingTalk's pagination styles, driven by the dotted wire paths of
//! [`Pagination`], and the JSON path helpers they need.
//!
//! | style | first | next page | end |
//! | --- | --- | --- | --- |
//! | cursor + has_more | `cursor` 0 | `next_cursor` = offset of the next item | `has_more` false |
//! | offset → next_cursor | `offset` 0 | `next_cursor` = offset of the next item | `next_cursor` absent |
//! | nullable cursor | `cursor` 0 | `next_cursor` = offset of the next item | `next_cursor` null |
//! | page number | `page` 1 | `page` + 1 | a page shorter than `page_size` |
//! | next token | `nextToken` absent | `nextToken` = offset of the next item | `hasMore` false, no `nextToken` |
//! | next token, text | `nextToken` absent | `nextToken` = `"token-"` + offset of the next item | `hasMore` false, `nextToken` `""` |
//! | offset + has_more | `offset` 0 | `offset` + `size` (the answer names none) | `hasMore` false |
//!
//! A text token the fake did not hand out reads as the first page.

use serde_json::{Map, Value};

use dingtalk_openapi_runtime::operation::{CursorType, Pagination, PaginationStyle};

/// How many items a seeded paginated operation holds: with a page size of 3, three pages.
pub(crate) const SEEDED_ITEMS: usize = 7;

/// The page size used when the request gives none (or a non-positive one).
const DEFAULT_PAGE_SIZE: usize = 20;

/// What a text token the fake hands out begins with; the offset of the next item follows.
const TOKEN_PREFIX: &str = "token-";

/// The text token of the page that starts at item `offset`.
pub(crate) fn token(offset: usize) -> String {
    format!("{TOKEN_PREFIX}{offset}")
}

/// The offset a text token of [`token`] stands for; `None` for any other text.
fn token_offset(value: &Value) -> Option<i64> {
    let text = value.as_str()?.strip_prefix(TOKEN_PREFIX)?;
    as_i64(&Value::String(text.to_owned()))
}

/// The value at a dotted path (`result.data_list`).
pub(crate) fn get<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

/// Sets the value at a dotted path, creating objects on the way (and replacing non-objects).
pub(crate) fn set(value: &mut Value, path: &str, new: Value) {
    let mut keys = path.split('.').peekable();
    let mut current = value;
    while let Some(key) = keys.next() {
        if !current.is_object() {
            *current = Value::Object(Map::new());
        }
        let Value::Object(map) = current else {
            return;
        };
        if keys.peek().is_none() {
            map.insert(key.to_owned(), new);
            return;
        }
        current = map
            .entry(key.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Removes the value at a dotted path, if there is one.
pub(crate) fn remove(value: &mut Value, path: &str) {
    let (parent, key) = match path.rsplit_once('.') {
        Some((parent, key)) => (get_mut(value, parent), key),
        None => (Some(value), path),
    };
    if let Some(Value::Object(map)) = parent {
        map.remove(key);
    }
}

fn get_mut<'a>(value: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    path.split('.').try_fold(value, |v, key| v.get_mut(key))
}

/// An integer, or a string that spells one (query parameters arrive as text); one beyond `i64`
/// saturates to its end.
pub(crate) fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_u64().map(|_| i64::MAX)),
        Value::String(s) => {
            let text = s.trim();
            text.parse().ok().or_else(|| {
                // Digits that do not parse are out of range.
                let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
                let integer = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
                let end = if text.starts_with('-') {
                    i64::MIN
                } else {
                    i64::MAX
                };
                integer.then_some(end)
            })
        }
        _ => None,
    }
}

/// Puts the page of `items` that `request` asks for into `response`, with the next cursor and
/// has-more flag the style uses.
pub(crate) fn page(
    pagination: &Pagination,
    request: &Value,
    response: &mut Value,
    items: &[Value],
) {
    let size = get(request, pagination.size)
        .and_then(as_i64)
        .filter(|s| *s > 0)
        .map_or(DEFAULT_PAGE_SIZE, |s| {
            usize::try_from(s).unwrap_or(usize::MAX)
        });
    let text = pagination.cursor_type == CursorType::String;
    let cursor = get(request, pagination.cursor)
        .and_then(|c| if text { token_offset(c) } else { as_i64(c) });
    let start = match pagination.style {
        PaginationStyle::PageNumber => {
            let page = usize::try_from(cursor.unwrap_or(1).max(1)).unwrap_or(usize::MAX);
            (page - 1).saturating_mul(size)
        }
        _ => usize::try_from(cursor.unwrap_or(0).max(0)).unwrap_or(usize::MAX),
    }
    .min(items.len());
    let end = start.saturating_add(size).min(items.len());
    let slice = items.get(start..end).unwrap_or_default().to_vec();
    set(response, pagination.items, Value::Array(slice));
    let more = end < items.len();
    let next = if text {
        Value::from(token(end))
    } else {
        Value::from(end)
    };
    if let Some(next_path) = pagination.next {
        match pagination.style {
            _ if more => set(response, next_path, next),
            // As some v1.0 lists do: an empty token beside `hasMore: false`.
            PaginationStyle::NextToken if text => set(response, next_path, Value::from("")),
            PaginationStyle::CursorHasMore => set(response, next_path, next),
            PaginationStyle::NullableCursor => set(response, next_path, Value::Null),
            PaginationStyle::OffsetNextCursor
            | PaginationStyle::NextToken
            | PaginationStyle::PageNumber
            | PaginationStyle::OffsetHasMore => {
                remove(response, next_path);
            }
        }
    }
    if let Some(has_more) = pagination.has_more {
        set(response, has_more, Value::Bool(more));
    }
    // Some offset-style answers also carry a has_more beside the items: keep it truthful.
    let sibling = match pagination.items.rsplit_once('.') {
        Some((parent, _)) => format!("{parent}.has_more"),
        None => "has_more".to_owned(),
    };
    if pagination.has_more != Some(sibling.as_str()) && get(response, &sibling).is_some() {
        set(response, &sibling, Value::Bool(more));
    }
}

/// [`SEEDED_ITEMS`] items shaped like `template` (the example answer's first item), each a
/// little different; strings named after `fallback` when the example has no item.
pub(crate) fn seeded_items(template: Option<&Value>, fallback: &str) -> Vec<Value> {
    (1..=SEEDED_ITEMS)
        .map(|n| match template {
            Some(t) => vary(t, n),
            None => Value::String(format!("{fallback}-{n}")),
        })
        .collect()
}

/// The `n`th variant of an item: strings get `-n`, numbers `+ n - 1`, and in objects every
/// string field whose name ends in `id` gets `-n` (so ids stay unique).
pub(crate) fn vary(template: &Value, n: usize) -> Value {
    match template {
        Value::String(s) => Value::String(format!("{s}-{n}")),
        Value::Number(x) => match x.as_i64() {
            Some(i) => Value::from(i.saturating_add(i64::try_from(n).unwrap_or(0) - 1)),
            None => template.clone(),
        },
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let is_id = k.to_ascii_lowercase().ends_with("id");
                    let v = match v {
                        Value::String(s) if is_id => Value::String(format!("{s}-{n}")),
                        _ => v.clone(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        _ => template.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn walk(style: PaginationStyle) -> Vec<Value> {
        let p = Pagination::usual(style);
        let items: Vec<Value> = (0..7).map(Value::from).collect();
        let mut request = json!({});
        set(&mut request, p.size, json!(3));
        if style == PaginationStyle::PageNumber {
            set(&mut request, p.cursor, json!(1));
        }
        let mut answers = Vec::new();
        for page_number in 2..10 {
            let mut response = json!({});
            page(&p, &request, &mut response, &items);
            answers.push(response.clone());
            let next = match style {
                PaginationStyle::PageNumber => {
                    let n = get(&response, p.items)
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len);
                    (n == 3).then(|| json!(page_number))
                }
                PaginationStyle::CursorHasMore | PaginationStyle::NextToken => {
                    let more = p
                        .has_more
                        .and_then(|h| get(&response, h))
                        .and_then(Value::as_bool);
                    more.filter(|m| *m)
                        .and(p.next.and_then(|n| get(&response, n)).cloned())
                }
                PaginationStyle::OffsetHasMore => {
                    let more = p
                        .has_more
                        .and_then(|h| get(&response, h))
                        .and_then(Value::as_bool);
                    let offset = get(&request, p.cursor).and_then(as_i64).unwrap_or(0);
                    more.filter(|m| *m).map(|_| json!(offset + 3))
                }
                _ => p
                    .next
                    .and_then(|n| get(&response, n))
                    .filter(|v| !v.is_null())
                    .cloned(),
            };
            match next {
                Some(next) => set(&mut request, p.cursor, next),
                None => break,
            }
        }
        answers
    }

    #[test]
    fn every_style_ends_after_three_pages() {
        for style in [
            PaginationStyle::CursorHasMore,
            PaginationStyle::OffsetNextCursor,
            PaginationStyle::NullableCursor,
            PaginationStyle::PageNumber,
            PaginationStyle::NextToken,
            PaginationStyle::OffsetHasMore,
        ] {
            let pages = walk(style);
            assert_eq!(pages.len(), 3, "{style:?}: {pages:?}");
            let p = Pagination::usual(style);
            let all: Vec<Value> = pages
                .iter()
                .flat_map(|r| {
                    get(r, p.items)
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default()
                })
                .collect();
            assert_eq!(
                all,
                (0..7).map(Value::from).collect::<Vec<_>>(),
                "{style:?}"
            );
        }
        let last = walk(PaginationStyle::NullableCursor)
            .pop()
            .unwrap_or_default();
        assert_eq!(get(&last, "result.next_cursor"), Some(&Value::Null));
        let last = walk(PaginationStyle::OffsetNextCursor)
            .pop()
            .unwrap_or_default();
        assert_eq!(get(&last, "result.next_cursor"), None);
    }

    /// Cursors, page numbers and sizes anywhere in `i64` and past it (as a number or as text):
    /// past the end is an empty last page, before the start the first page, a huge size
    /// everything, a non-positive one the default.
    #[test]
    fn extreme_cursors_and_sizes_saturate() {
        let items: Vec<Value> = (0..7).map(Value::from).collect();
        let huge = "9".repeat(40);
        let cursors = [
            (json!(i64::MAX), Some(0)),
            (json!(u64::MAX), Some(0)),
            (json!(huge), Some(0)),
            (json!(i64::MIN), None),
            (json!(format!("-{huge}")), None),
        ];
        let sizes = [
            (json!(i64::MAX), 7),
            (json!(u64::MAX), 7),
            (json!(huge), 7),
            (json!(i64::MIN), 7),
            (json!(0), 7),
        ];
        for style in [
            PaginationStyle::CursorHasMore,
            PaginationStyle::OffsetNextCursor,
            PaginationStyle::NullableCursor,
            PaginationStyle::PageNumber,
            PaginationStyle::NextToken,
            PaginationStyle::OffsetHasMore,
        ] {
            let p = Pagination::usual(style);
            for (cursor, past_the_end) in &cursors {
                for (size, all) in &sizes {
                    let mut request = json!({});
                    set(&mut request, p.cursor, cursor.clone());
                    set(&mut request, p.size, size.clone());
                    let mut response = json!({});
                    page(&p, &request, &mut response, &items);
                    let got = get(&response, p.items)
                        .and_then(Value::as_array)
                        .map(Vec::len);
                    let want = past_the_end.unwrap_or(*all);
                    assert_eq!(got, Some(want), "{style:?} cursor {cursor} size {size}");
                    if let Some(has_more) = p.has_more {
                        assert_eq!(get(&response, has_more), Some(&json!(false)));
                    }
                }
            }
        }
        assert_eq!(as_i64(&json!(u64::MAX)), Some(i64::MAX));
        assert_eq!(as_i64(&json!(" -99999999999999999999 ")), Some(i64::MIN));
        assert_eq!(as_i64(&json!("12x")), None);
        assert_eq!(as_i64(&json!(2.5)), None);
    }

    /// A text-token walk: tokens are strings the fake made, the last page says `hasMore: false`
    /// with an empty token, and a token it never made reads as the first page.
    #[test]
    fn text_tokens_walk_and_end_empty() {
        let p = Pagination::usual(PaginationStyle::NextToken).with_cursor_type(CursorType::String);
        let items: Vec<Value> = (0..7).map(Value::from).collect();
        let mut request = json!({"maxResults": 3});
        let mut seen = Vec::new();
        let mut tokens = Vec::new();
        for _ in 0..5 {
            let mut response = json!({});
            page(&p, &request, &mut response, &items);
            seen.extend(response["list"].as_array().cloned().unwrap_or_default());
            tokens.push(response["nextToken"].clone());
            if response["hasMore"] == json!(false) {
                break;
            }
            request["nextToken"] = response["nextToken"].clone();
        }
        assert_eq!(tokens, [json!("token-3"), json!("token-6"), json!("")]);
        assert_eq!(seen, items);
        let mut response = json!({});
        page(
            &p,
            &json!({"nextToken": "elsewhere-3"}),
            &mut response,
            &items,
        );
        assert_eq!(response["list"], json!([0, 1, 2, 3, 4, 5, 6]));
    }

    #[test]
    fn paths() {
        let mut v = json!({"a": {"b": 1}});
        set(&mut v, "a.c.d", json!(2));
        assert_eq!(get(&v, "a.c.d"), Some(&json!(2)));
        remove(&mut v, "a.b");
        assert_eq!(v, json!({"a": {"c": {"d": 2}}}));
        assert_eq!(as_i64(&json!("12")), Some(12));
        assert_eq!(
            vary(&json!({"id": "x", "name": "n"}), 2),
            json!({"id": "x-2", "name": "n"})
        );
    }
}
