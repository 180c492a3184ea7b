//! "Did you mean …?": the nearest operation id or field name to a misspelt one.

/// How alike two names must be (Jaro-Winkler, 0..=1) to be suggested.
const THRESHOLD: f64 = 0.8;

/// The operation id nearest to `input`, also recognising an id written as a path or URL
/// (`/topapi/blackboard/create`, `https://api.dingtalk.com/v1.0/oauth2/accessToken`).
pub(crate) fn operation<'a>(
    input: &str,
    ids: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let as_id = path_to_id(input);
    nearest(&as_id, ids)
}

/// The field name nearest to `input` among `names`, ignoring case and `_`; never `input` itself
/// (a deserializer may list the name it rejects among the expected ones).
pub(crate) fn field<'a>(input: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    nearest(input, names.into_iter().filter(|n| *n != input))
}

/// The candidate most like `input`: one equal but for case and `_` wins, otherwise the best
/// Jaro-Winkler score above [`THRESHOLD`].
fn nearest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let key = fold(input);
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
        let folded = fold(candidate);
        if folded == key {
            return Some(candidate);
        }
        let score = strsim::jaro_winkler(&key, &folded);
        if score >= THRESHOLD && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// `https://oapi.dingtalk.com/topapi/report/list?x=1` → `report.list` (the path segments after the API prefix, joined by `.`).
fn path_to_id(input: &str) -> String {
    let mut rest = input.trim();
    if let Some((_, after)) = rest.split_once("://") {
        rest = after.find('/').map_or("", |i| &after[i..]);
    }
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    if !rest.contains('/') {
        return rest.to_owned();
    }
    let rest = rest.trim_start_matches('/');
    let rest = rest
        .strip_prefix("topapi/")
        .or_else(|| rest.strip_prefix("v1.0/"))
        .unwrap_or(rest);
    rest.trim_end_matches('/').replace('/', ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDS: &[&str] = &[
        "blackboard.create",
        "blackboard.category.list",
        "oauth2.accessToken",
        "report.list",
    ];

    #[test]
    fn operations() {
        let near = |s| operation(s, IDS.iter().copied());
        assert_eq!(near("blackbord.create"), Some("blackboard.create"));
        assert_eq!(near("oauth2.accesstoken"), Some("oauth2.accessToken"));
        assert_eq!(near("/topapi/blackboard/create"), Some("blackboard.create"));
        assert_eq!(
            near("https://api.dingtalk.com/v1.0/oauth2/accessToken"),
            Some("oauth2.accessToken")
        );
        assert_eq!(near("report.lst"), Some("report.list"));
        assert_eq!(near("zzz"), None);
        assert_eq!(near(""), None);
    }

    #[test]
    fn fields() {
        let names = ["operation_userid", "title", "deptList", "nextToken"];
        assert_eq!(field("titel", names), Some("title"));
        assert_eq!(field("dept_list", names), Some("deptList"));
        assert_eq!(field("next_token", names), Some("nextToken"));
        assert_eq!(field("xyz", names), None);
        assert_eq!(field("title", names), None);
    }
}
