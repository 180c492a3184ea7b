//! `dingtalk list`: every operation of the build with its method, URL and title, from the static
//! [`OperationInfo`]s alone (the OpenAPI document is not parsed).

use std::fmt::Write;

use serde::Serialize;

use crate::args::ListArgs;
use crate::{CallError, Catalog, lookup, output, suggest};
use dingtalk_openapi::operation::OperationInfo;

/// Prints the list, aligned, or as JSON with `--json`.
pub(crate) fn run(catalog: &Catalog, args: &ListArgs) -> Result<(), CallError> {
    let ops = select(&catalog.operations, args)?;
    let text = if args.json { json(&ops) } else { table(&ops) };
    output::write_stdout(text.as_bytes())
}

/// The operations the filters keep, in catalog order: all of `--area`, `--action` and FILTER
/// (a text in the id or the action, ignoring case). An `--area` no operation has is an error
/// naming the nearest areas, so a typo does not read as an empty area.
pub(crate) fn select<'a>(
    ops: &[&'a OperationInfo],
    args: &ListArgs,
) -> Result<Vec<&'a OperationInfo>, CallError> {
    let mut ops: Vec<&'a OperationInfo> = ops.to_vec();
    if let Some(area) = args.area.as_deref() {
        let in_area: Vec<&'a OperationInfo> =
            ops.iter().copied().filter(|op| op.area == area).collect();
        if in_area.is_empty() {
            let mut areas: Vec<&str> = ops.iter().map(|op| op.area).collect();
            areas.sort_unstable();
            areas.dedup();
            let near = suggest::operations(area, areas, 5);
            let hint = if near.is_empty() {
                "`dingtalk list --json | jq -r '.[].area' | sort -u` shows them".to_owned()
            } else {
                let near: Vec<String> = near.iter().map(|a| format!("`{a}`")).collect();
                format!("did you mean {}?", near.join(", "))
            };
            return Err(CallError::usage(format!("no area `{area}`; {hint}")));
        }
        ops = in_area;
    }
    if let Some(action) = args.action.as_deref() {
        ops = lookup::by_action(&ops, action);
    }
    if let Some(filter) = args.filter.as_deref().map(str::to_lowercase) {
        ops.retain(|op| {
            op.id.to_lowercase().contains(&filter) || op.action.to_lowercase().contains(&filter)
        });
    }
    Ok(ops)
}

/// `id  METHOD  URL  title`, one operation a line, columns aligned.
pub(crate) fn table(ops: &[&OperationInfo]) -> String {
    let urls: Vec<String> = ops.iter().map(|op| op.default_url()).collect();
    let id_width = ops.iter().map(|op| op.id.len()).max().unwrap_or(0);
    let url_width = urls.iter().map(String::len).max().unwrap_or(0);
    let mut out = String::new();
    for (op, url) in ops.iter().zip(&urls) {
        let line = format!(
            "{:id_width$}  {:6}  {url:url_width$}  {}",
            op.id,
            op.method.as_str(),
            op.title
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// One operation in `list --json`.
#[derive(Serialize)]
struct Entry<'a> {
    id: &'a str,
    method: &'a str,
    url: String,
    title: &'a str,
    area: &'a str,
    /// DingTalk's own name (`contact_1.0/GetUser`); null for curated operations.
    action: Option<&'a str>,
    /// What a successful answer is: object, array, boolean, json or none.
    returns: &'a str,
    auth: &'a str,
    envelope: &'a str,
    effect: &'a str,
    paginated: bool,
    doc_url: &'a str,
}

/// A JSON array of one object per operation.
fn json(ops: &[&OperationInfo]) -> String {
    let entries: Vec<Entry<'_>> = ops
        .iter()
        .map(|op| Entry {
            id: op.id,
            method: op.method.as_str(),
            url: op.default_url(),
            title: op.title,
            area: op.area,
            action: Some(op.action).filter(|a| !a.is_empty()),
            returns: op.returns.as_str(),
            auth: op.auth.as_str(),
            envelope: op.envelope.as_str(),
            effect: op.effect.as_str(),
            paginated: op.pagination.is_some(),
            doc_url: op.doc_url,
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&entries).unwrap_or_else(|_| "[]".to_owned());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use dingtalk_openapi::operation::{Host, Method};

    static A: OperationInfo = OperationInfo::new("gettoken", Method::Get, Host::Oapi, "/gettoken");
    static B: OperationInfo = OperationInfo::new(
        "blackboard.category.list",
        Method::Post,
        Host::Oapi,
        "/topapi/blackboard/category/list",
    );
    static C: OperationInfo = OperationInfo::new(
        "oauth2.accessToken",
        Method::Post,
        Host::Api,
        "/v1.0/oauth2/accessToken",
    );

    #[test]
    fn aligned() {
        let text = table(&[&A, &B, &C]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0],
            "gettoken                  GET     https://oapi.dingtalk.com/gettoken"
        );
        assert!(lines[1].starts_with("blackboard.category.list  POST    https://oapi.dingtalk.com/topapi/blackboard/category/list"));
        assert!(lines[2].contains("  POST    https://api.dingtalk.com/v1.0/oauth2/accessToken"));
    }

    #[test]
    fn as_json() {
        let value: serde_json::Value = serde_json::from_str(&json(&[&A, &C])).unwrap();
        assert_eq!(value[1]["id"], "oauth2.accessToken");
        assert_eq!(
            value[1]["url"],
            "https://api.dingtalk.com/v1.0/oauth2/accessToken"
        );
        assert_eq!(value[0]["auth"], "query_token");
    }

    #[test]
    fn filters_combine() {
        use dingtalk_openapi::operation::{Auth, Effect, Envelope, Returns};
        fn op(id: &'static str, area: &'static str, action: &'static str) -> OperationInfo {
            OperationInfo::new(id, Method::Patch, Host::Api, "/v1.0/x")
                .with_auth(Auth::HeaderToken)
                .with_envelope(Envelope::Bare)
                .with_effect(Effect::Update)
                .with_returns(Returns::Boolean)
                .with_action(area, action)
        }
        let (a, b, c) = (
            op("contact.GetUser", "contact", "contact_1.0/GetUser"),
            op("hrm.GetUser", "hrm", "hrm_1.0/GetUser"),
            op("contact.ListDepts", "contact", "contact_1.0/ListDepts"),
        );
        let ops = [&a, &b, &c];
        let ids = |area: Option<&str>, action: Option<&str>, filter: Option<&str>| {
            let args = ListArgs {
                filter: filter.map(str::to_owned),
                area: area.map(str::to_owned),
                action: action.map(str::to_owned),
                json: false,
            };
            let selected = select(&ops, &args).unwrap();
            selected.iter().map(|op| op.id).collect::<Vec<_>>()
        };
        assert_eq!(
            ids(Some("contact"), None, None),
            ["contact.GetUser", "contact.ListDepts"]
        );
        assert_eq!(
            ids(None, Some("GetUser"), None),
            ["contact.GetUser", "hrm.GetUser"]
        );
        assert_eq!(ids(Some("hrm"), Some("getuser"), None), ["hrm.GetUser"]);
        assert_eq!(ids(None, None, Some("_1.0/list")), ["contact.ListDepts"]);
        assert!(
            select(
                &ops,
                &ListArgs {
                    filter: None,
                    area: Some("contacts".into()),
                    action: None,
                    json: false
                }
            )
            .is_err()
        );
        let value: serde_json::Value = serde_json::from_str(&json(&[&a])).unwrap();
        assert_eq!(value[0]["action"], "contact_1.0/GetUser");
        assert_eq!(value[0]["returns"], "boolean");
        assert_eq!(value[0]["method"], "PATCH");
        assert!(table(&[&a]).contains("  PATCH   https://api.dingtalk.com/v1.0/x"));
    }
}
