//! `dingtalk list`: every operation of the build with its method, URL and title, from the static
//! [`OperationInfo`]s alone (the OpenAPI document is not parsed).

use std::fmt::Write;

use serde::Serialize;

use crate::args::ListArgs;
use crate::{CallError, Catalog, output};
use dingtalk_openapi::operation::{Auth, Effect, Envelope, OperationInfo};

/// Prints the list, aligned, or as JSON with `--json`.
pub(crate) fn run(catalog: &Catalog, args: &ListArgs) -> Result<(), CallError> {
    let filter = args.filter.as_deref().map(str::to_lowercase);
    let ops: Vec<&OperationInfo> = catalog
        .operations
        .iter()
        .copied()
        .filter(|op| {
            filter
                .as_deref()
                .is_none_or(|f| op.id.to_lowercase().contains(f))
        })
        .collect();
    let text = if args.json { json(&ops) } else { table(&ops) };
    output::write_stdout(text.as_bytes())
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
            auth: auth_name(op.auth),
            envelope: envelope_name(op.envelope),
            effect: effect_name(op.effect),
            paginated: op.pagination.is_some(),
            doc_url: op.doc_url,
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&entries).unwrap_or_else(|_| "[]".to_owned());
    text.push('\n');
    text
}

/// The credential style as `list --json` and `describe` name it.
pub(crate) fn auth_name(auth: Auth) -> &'static str {
    match auth {
        Auth::None => "none",
        Auth::QueryToken => "query_token",
        Auth::HeaderToken => "header_token",
        Auth::Robot => "robot",
        Auth::AppSignature => "app_signature",
    }
}

/// The envelope as `list --json` and `describe` name it.
pub(crate) fn envelope_name(envelope: Envelope) -> &'static str {
    match envelope {
        Envelope::Errcode => "errcode",
        Envelope::Bare => "bare",
    }
}

/// The effect as `list --json` and `describe` name it.
pub(crate) fn effect_name(effect: Effect) -> &'static str {
    match effect {
        Effect::Read => "read",
        Effect::Create => "create",
        Effect::Update => "update",
        Effect::Delete => "delete",
    }
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
}
