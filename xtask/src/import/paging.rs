//! Which imported operations page, decided from the data alone: DingTalk's v1.0 lists that
//! take `nextToken` and `maxResults` and answer `nextToken`, `hasMore` and one list get
//! `pagination: {style: next_token, ...}`; every other operation stays unpaged (no guessing).
//!
//! The rule, on top-level fields only:
//! - the request has `nextToken` (query or body) of type `integer` or `string`, and
//!   `maxResults` (query or body) of type `integer`;
//! - the answer is an object with `nextToken` of the request's type and `hasMore` a `boolean`;
//! - the answer has exactly one list field: the items. The overrides' `pagination` entries may
//!   name the items among several lists, or keep an operation unpaged.

use super::yaml::Field;

/// The request's cursor and the answer's next cursor.
pub(crate) const TOKEN: &str = "nextToken";
/// The request's page size.
pub(crate) const SIZE: &str = "maxResults";
/// The answer's has-more flag.
pub(crate) const HAS_MORE: &str = "hasMore";

/// What the rule says about one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Pages; the answer's list field holding the items, and whether the token is text.
    Paged { items: String, text: bool },
    /// Takes a `nextToken` but does not page by the rule, for this reason (a short phrase, the
    /// key of the `--stats` count).
    Unpaged(&'static str),
    /// Takes no `nextToken` at all.
    NoToken,
}

/// A top-level field of `fields` named `name`.
fn field<'a>(fields: &'a [Field], name: &str) -> Option<&'a Field> {
    fields.iter().find(|f| f.name == name)
}

/// The answer's list fields (`T[]`, `T[][]`), in order.
pub(crate) fn lists(response: &[Field]) -> Vec<&str> {
    response
        .iter()
        .filter(|f| f.ty.ends_with("[]"))
        .map(|f| f.name.as_str())
        .collect()
}

/// The rule over an operation's parameters, answer fields and `returns`; `items` is the
/// overrides' choice among several lists, if any.
pub(crate) fn verdict(
    params: &[Field],
    response: &[Field],
    returns: Option<&str>,
    items: Option<&str>,
) -> Verdict {
    let in_request = |f: &&Field| matches!(f.location, Some("query" | "body"));
    let Some(token) = field(params, TOKEN).filter(in_request) else {
        return Verdict::NoToken;
    };
    let text = match token.ty.as_str() {
        "string" => true,
        "integer" => false,
        _ => return Verdict::Unpaged("request nextToken neither integer nor string"),
    };
    if field(params, SIZE)
        .filter(in_request)
        .is_none_or(|f| f.ty != "integer")
    {
        return Verdict::Unpaged("no integer maxResults in the request");
    }
    if returns.is_some() {
        return Verdict::Unpaged("the answer is not an object");
    }
    match field(response, TOKEN) {
        None => return Verdict::Unpaged("no nextToken in the answer"),
        Some(next) if next.ty != token.ty => {
            return Verdict::Unpaged("answer nextToken of another type");
        }
        Some(_) => {}
    }
    if field(response, HAS_MORE).is_none_or(|f| f.ty != "boolean") {
        return Verdict::Unpaged("no boolean hasMore in the answer");
    }
    let lists = lists(response);
    let items = match (lists.as_slice(), items) {
        (_, Some(named)) if lists.contains(&named) => named,
        ([one], None) => one,
        ([], _) => return Verdict::Unpaged("no list in the answer"),
        _ => return Verdict::Unpaged("several lists in the answer"),
    };
    Verdict::Paged {
        items: items.to_owned(),
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, location: Option<&'static str>, ty: &str) -> Field {
        Field {
            name: name.to_owned(),
            location,
            ty: ty.to_owned(),
            ..Field::default()
        }
    }

    fn request(token: &str) -> Vec<Field> {
        vec![
            f("nextToken", Some("query"), token),
            f("maxResults", Some("query"), "integer"),
        ]
    }

    fn answer(token: &str, lists: &[&str]) -> Vec<Field> {
        let mut out = vec![f("nextToken", None, token), f("hasMore", None, "boolean")];
        out.extend(lists.iter().map(|l| f(l, None, "string[]")));
        out
    }

    #[test]
    fn pages_exactly_when_unambiguous() {
        let paged = |items: &str, text| Verdict::Paged {
            items: items.to_owned(),
            text,
        };
        let v = |req: &[Field], resp: &[Field]| verdict(req, resp, None, None);
        assert_eq!(
            v(&request("string"), &answer("string", &["list"])),
            paged("list", true)
        );
        assert_eq!(
            v(&request("integer"), &answer("integer", &["ids"])),
            paged("ids", false)
        );
        assert_eq!(
            v(&request("integer"), &answer("string", &["ids"])),
            Verdict::Unpaged("answer nextToken of another type")
        );
        assert_eq!(
            v(&request("string"), &answer("string", &["a", "b"])),
            Verdict::Unpaged("several lists in the answer")
        );
        assert_eq!(
            verdict(
                &request("string"),
                &answer("string", &["a", "b"]),
                None,
                Some("b")
            ),
            paged("b", true)
        );
        assert_eq!(
            v(&request("string"), &answer("string", &[])),
            Verdict::Unpaged("no list in the answer")
        );
        assert_eq!(
            verdict(
                &request("string"),
                &answer("string", &["a"]),
                Some("json"),
                None
            ),
            Verdict::Unpaged("the answer is not an object")
        );
        let mut no_has_more = answer("string", &["a"]);
        no_has_more[1].ty = "string".to_owned();
        assert_eq!(
            v(&request("string"), &no_has_more),
            Verdict::Unpaged("no boolean hasMore in the answer")
        );
        let mut size_text = request("string");
        size_text[1].ty = "string".to_owned();
        assert_eq!(
            v(&size_text, &answer("string", &["a"])),
            Verdict::Unpaged("no integer maxResults in the request")
        );
        let mut in_path = request("string");
        in_path[0].location = Some("header");
        assert_eq!(v(&in_path, &answer("string", &["a"])), Verdict::NoToken);
        assert_eq!(v(&[], &answer("string", &["a"])), Verdict::NoToken);
    }
}
