//! Where parameters go and how they are written, from the [`OperationInfo`] rather than the
//! OpenAPI document: path segments (`{name}`), a whole-body value, JSON-text and `name.1=`
//! encodings, the action and the answer's shape. The text form gets them as locations, notes
//! and lines under the parameter table; `--json` as `x-dingtalk-*` keys the document lacks.

use super::json::Json;
use super::schema::{Field, Row, Walker};
use dingtalk_openapi::operation::{Encode, Location, OperationInfo, Returns};

/// Rows for the path and whole-body parameters the document does not list (the walk gives each
/// its type when `schema` of the document has one), so every parameter the client sends shows.
pub(crate) fn missing<'a>(
    info: &OperationInfo,
    rows: &[Row],
    walker: &mut Walker<'a>,
    whole_body_schema: &'a Json,
) {
    for param in info.params {
        let schema = match param.location {
            Location::Path => &Json::Null,
            Location::WholeBody => whole_body_schema,
            _ => continue,
        };
        if rows.iter().any(|r| r.depth == 0 && r.name == param.name) {
            continue;
        }
        walker.field(
            Field {
                name: param.name,
                schema,
                required: param.required,
                location: Some(param.location.as_str()),
                example: &Json::Null,
                description: &Json::Null,
            },
            0,
        );
    }
}

/// Gives the top-level rows of path and whole-body parameters their location, and a note to
/// those whose value is not written as itself.
pub(crate) fn place(info: &OperationInfo, rows: &mut [Row]) {
    for row in rows.iter_mut().filter(|r| r.depth == 0) {
        let Some(param) = info.params.iter().find(|p| p.name == row.name) else {
            continue;
        };
        if matches!(param.location, Location::Path | Location::WholeBody) {
            row.location = Some(param.location.as_str().to_owned());
        }
        if let Some(note) = encode_note(param.encode, param.name) {
            row.notes.push(note);
        }
    }
}

/// How a parameter's value is written, when not as itself.
fn encode_note(encode: Encode, name: &str) -> Option<String> {
    match encode {
        Encode::Plain => None,
        Encode::Json => Some("sent as JSON text".to_owned()),
        Encode::Repeat => Some(format!("sent as {name}.1=…&{name}.2=…")),
    }
}

/// The lines under the parameter table that say what `path` and `whole_body` mean.
pub(crate) fn notes(info: &OperationInfo) -> Vec<String> {
    let has = |l: Location| info.params.iter().any(|p| p.location == l);
    let mut lines = Vec::new();
    if has(Location::Path) {
        lines.push(format!(
            "path: the value replaces its `{{name}}` in {} (percent-encoded)",
            info.path
        ));
    }
    if has(Location::WholeBody) {
        lines.push(
            "whole_body: the value is sent as the whole JSON body (give it under its name in --body)"
                .to_owned(),
        );
    }
    lines
}

/// The operation's OpenAPI object with the facts of `info` the document does not state:
/// `x-dingtalk-action`, `x-dingtalk-returns` (when not `object`), `x-dingtalk-encode` (the
/// parameters not written as themselves, by name) and `x-dingtalk-whole-body` (the parameter
/// that is the whole body). A key the document already has is left as it is.
pub(crate) fn with_facts(info: &OperationInfo, op: Json) -> Json {
    let Json::Object(mut entries) = op else {
        return op;
    };
    let mut add = |key: &str, value: Json| {
        if !entries.iter().any(|(k, _)| k == key) {
            entries.push((key.to_owned(), value));
        }
    };
    let text = |s: &str| Json::String(s.to_owned());
    if !info.action.is_empty() {
        add("x-dingtalk-action", text(info.action));
    }
    if info.returns != Returns::Object {
        add("x-dingtalk-returns", text(info.returns.as_str()));
    }
    let encoded: Vec<(String, Json)> = info
        .params
        .iter()
        .filter(|p| p.encode != Encode::Plain)
        .map(|p| (p.name.to_owned(), text(p.encode.as_str())))
        .collect();
    if !encoded.is_empty() {
        add("x-dingtalk-encode", Json::Object(encoded));
    }
    if let Some(whole) = info
        .params
        .iter()
        .find(|p| p.location == Location::WholeBody)
    {
        add("x-dingtalk-whole-body", text(whole.name));
    }
    Json::Object(entries)
}

#[cfg(test)]
mod tests {
    use super::super::{find, render};
    use super::*;
    use dingtalk_openapi::operation::{Auth, Effect, Envelope, Host, Method, Param, Returns};

    const PARAMS: &[Param] = &[
        Param::new("userId", Location::Path, true, false),
        Param::new("filter", Location::Query, false, false).with_encode(Encode::Json),
        Param::new("ids", Location::Query, false, false).with_encode(Encode::Repeat),
        Param::new("items", Location::WholeBody, true, false),
    ];

    /// An imported-looking operation.
    static INFO: OperationInfo = OperationInfo::new(
        "contact.PatchUser",
        Method::Patch,
        Host::Api,
        "/v1.0/contact/users/{userId}",
    )
    .with_title("改用户")
    .with_auth(Auth::HeaderToken)
    .with_envelope(Envelope::Bare)
    .with_effect(Effect::Update)
    .with_params(PARAMS)
    .with_returns(Returns::Boolean)
    .with_action("contact", "contact_1.0/PatchUser");

    /// The document as the generator writes it today: the path parameter listed, the
    /// whole-body one not.
    const DOC: &str = r#"{"paths": {"/v1.0/contact/users/{userId}": {"patch": {
        "operationId": "contact.PatchUser", "summary": "改用户",
        "parameters": [
            {"name": "userId", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "filter", "in": "query", "schema": {"type": "object"}},
            {"name": "ids", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}}
        ],
        "responses": {"200": {"content": {"application/json": {"schema": {"type": "boolean"}}}}},
        "x-dingtalk-effect": "update"
    }}}}"#;

    #[test]
    fn renders_path_whole_body_encodings_and_the_answer_shape() {
        let doc: Json = serde_json::from_str(DOC).unwrap();
        let text = render(&INFO, &doc, find(&doc, "contact.PatchUser"));
        let expected = "\
contact.PatchUser  改用户
PATCH https://api.dingtalk.com/v1.0/contact/users/{userId}

  action      contact_1.0/PatchUser
  auth        access token in the `x-acs-dingtalk-access-token` header, fetched with DINGTALK_APP_KEY and DINGTALK_APP_SECRET and added by the client
  envelope    bare: the body itself on success; errors by HTTP status with {code, message, requestid}
  effect      update (retried only when the failure shows it was not processed)
  returns     boolean: a bare `true` or `false`
  pagination  none

Parameters: one JSON object for --body, by wire name (* required; the client adds the credential)
  userId*  path        string
  filter   query       object           sent as JSON text
  ids      query       array of string  sent as ids.1=…&ids.2=…
  items*   whole_body  any JSON
  path: the value replaces its `{name}` in /v1.0/contact/users/{userId} (percent-encoded)
  whole_body: the value is sent as the whole JSON body (give it under its name in --body)
";
        assert!(text.starts_with(expected), "{text}");
    }

    #[test]
    fn a_bare_array_body_is_the_whole_body_parameter() {
        let doc: Json = serde_json::from_str(
            r#"{"paths": {"/v1.0/x": {"post": {"operationId": "contact.PatchUser",
            "requestBody": {"content": {"application/json": {"schema":
                {"type": "array", "items": {"type": "string"}}}}},
            "responses": {"200": {"content": {"application/json": {"schema":
                {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}}}}}}}}}}}}"#,
        )
        .unwrap();
        let text = render(&INFO, &doc, find(&doc, "contact.PatchUser"));
        assert!(
            text.contains("\n  items*   whole_body  array of string\n"),
            "{text}"
        );
        assert!(
            text.contains("Response fields (HTTP 200, of each item of the array)\n  id  string\n"),
            "{text}"
        );
    }

    #[test]
    fn json_gains_the_facts_the_document_lacks() {
        let op: Json = serde_json::from_str(
            r#"{"operationId": "contact.PatchUser", "x-dingtalk-returns": "boolean"}"#,
        )
        .unwrap();
        let op = with_facts(&INFO, op);
        assert_eq!(
            op.compact(),
            r#"{"operationId":"contact.PatchUser","x-dingtalk-returns":"boolean","x-dingtalk-action":"contact_1.0/PatchUser","x-dingtalk-encode":{"filter":"json","ids":"repeat"},"x-dingtalk-whole-body":"items"}"#
        );
        assert!(with_facts(&INFO, Json::Null).is_null());
        static CURATED: OperationInfo =
            OperationInfo::new("x.list", Method::Post, Host::Oapi, "/topapi/x/list");
        let bare: Json = serde_json::from_str(r#"{"operationId": "x.list"}"#).unwrap();
        assert_eq!(with_facts(&CURATED, bare.clone()), bare);
    }
}
