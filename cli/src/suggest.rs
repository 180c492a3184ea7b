//! "Did you mean …?": the nearest operation id or field name to a misspelt one.

/// How alike two names must be (Jaro-Winkler, 0..=1) to be suggested.
const THRESHOLD: f64 = 0.8;

/// How much less alike than the best a further suggestion may be.
const MARGIN: f64 = 0.03;

/// Up to `limit` operation names nearest to `input`, best first, also recognising an id written
/// as a path or URL (`/topapi/blackboard/create`, `https://api.dingtalk.com/v1.0/oauth2/accessToken`).
/// A name equal to `input` but for case and `_` is the only suggestion; otherwise every name
/// above [`THRESHOLD`] and within [`MARGIN`] of the best, one per spelling that differs only in
/// case.
pub(crate) fn operations<'a>(
    input: &str,
    names: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Vec<&'a str> {
    let key = fold(&path_to_id(input));
    let mut scored: Vec<(f64, String, &'a str)> = Vec::new();
    for name in names {
        let folded = fold(name);
        if folded == key {
            return vec![name];
        }
        let score = strsim::jaro_winkler(&key, &folded);
        if score >= THRESHOLD {
            scored.push((score, folded, name));
        }
    }
    // Stable: equal scores keep the order the names came in.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let best = scored.first().map_or(0.0, |s| s.0);
    let mut seen: Vec<String> = Vec::new();
    let mut near = Vec::new();
    for (score, folded, name) in scored {
        if near.len() == limit || score < best - MARGIN {
            break;
        }
        if !seen.contains(&folded) {
            seen.push(folded);
            near.push(name);
        }
    }
    near
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
    fn near_operation_ids() {
        let near = |s| operations(s, IDS.iter().copied(), 1).first().copied();
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
    fn several_operations_best_first() {
        let names = [
            "GetUser",
            "getUser",
            "GetUsers",
            "GetUserInfo",
            "ListUsers",
            "Zzz",
        ];
        // `getUser` folds like `GetUser`; `GetUserInfo` is too far behind the best.
        assert_eq!(operations("GetUsr", names, 5), ["GetUser", "GetUsers"]);
        assert_eq!(operations("GetUsr", names, 1), ["GetUser"]);
        assert_eq!(operations("GetUserInf", names, 5), ["GetUserInfo"]);
        assert_eq!(operations("getuser", names, 5), ["GetUser"]);
        assert!(operations("qqq", names, 5).is_empty());
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
