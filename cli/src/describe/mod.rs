//! `dingtalk describe OP`: what an operation is and takes, from its [`OperationInfo`] and its
//! entry in the generated OpenAPI document (parsed here, and only here).

mod json;
mod schema;
mod wire;

use std::fmt::Write;

use crate::args::DescribeArgs;
use crate::{CallError, Catalog, output};
use dingtalk_openapi::operation::{
    Auth, CursorType, Effect, Envelope, OperationInfo, Pagination, PaginationStyle, Returns,
};
use json::Json;
use schema::{Field, Row, Walker};
use wire::with_facts;

/// Prints the description, or the OpenAPI object with `--json`.
pub(crate) fn run(catalog: &Catalog, args: &DescribeArgs) -> Result<(), CallError> {
    let info = catalog.find(&args.operation)?;
    let doc: Json = serde_json::from_str(catalog.openapi).map_err(|e| {
        CallError::failed(format!("the built-in OpenAPI document cannot be read: {e}"))
    })?;
    let op = find(&doc, info.id);
    let text = if args.json {
        let op = with_facts(info, op.clone());
        let mut text = serde_json::to_string_pretty(&op).unwrap_or_default();
        text.push('\n');
        text
    } else {
        render(info, &doc, op)
    };
    output::write_stdout(text.as_bytes())
}

/// The operation object whose `operationId` is `id`; `Null` when the document lacks it.
fn find<'a>(doc: &'a Json, id: &str) -> &'a Json {
    for (_, item) in doc.get("paths").entries() {
        for (_, op) in item.entries() {
            if op.get("operationId").as_str() == Some(id) {
                return op;
            }
        }
    }
    &Json::Null
}

/// The whole description.
pub(crate) fn render(info: &OperationInfo, doc: &Json, op: &Json) -> String {
    let mut out = String::new();
    let title = op.get("summary").as_str().unwrap_or(info.title);
    let _ = writeln!(out, "{}  {title}", info.id);
    let _ = writeln!(out, "{} {}", info.method.as_str(), info.default_url());
    let about = about(op);
    if !about.is_empty() {
        let _ = writeln!(out, "\n{about}");
    }
    out.push('\n');
    let doc_url = op
        .at(["externalDocs", "url"])
        .as_str()
        .unwrap_or(info.doc_url);
    let mut facts: Vec<(&str, String)> = Vec::new();
    if !info.action.is_empty() {
        facts.push(("action", info.action.to_owned()));
    }
    if !doc_url.is_empty() {
        facts.push(("docs", doc_url.to_owned()));
    }
    facts.push(("auth", auth_text(info.auth).to_owned()));
    facts.push(("envelope", envelope_text(info.envelope).to_owned()));
    facts.push(("effect", effect_text(info.effect).to_owned()));
    if info.returns != Returns::Object {
        facts.push(("returns", returns_text(info.returns).to_owned()));
    }
    facts.push((
        "pagination",
        info.pagination
            .as_ref()
            .map_or_else(|| "none".to_owned(), pagination_text),
    ));
    for window in op.get("x-dingtalk-windows").as_array() {
        facts.push(("time window", window_text(window)));
    }
    let groups = op.get("x-dingtalk-requires-one-of").as_array();
    if !groups.is_empty() {
        facts.push(("needs", requires_text(groups)));
    }
    for (label, text) in facts {
        let _ = writeln!(out, "  {label:<11} {text}");
    }

    let mut walker = Walker::new(doc);
    for param in op.get("parameters").as_array() {
        let (_, param) = walker.resolve(param);
        walker.field(
            Field {
                name: param.get("name").as_str().unwrap_or("?"),
                schema: param.get("schema"),
                required: param.get("required").as_bool() == Some(true),
                location: param.get("in").as_str(),
                example: param.get("example"),
                description: param.get("description"),
            },
            0,
        );
    }
    let body = op.at(["requestBody", "content", "application/json", "schema"]);
    let (_, body) = walker.resolve(body);
    let required: Vec<&str> = body.get("required").strings().collect();
    // A whole body that is not an object of keys (a bare array) is the whole-body parameter's.
    let whole_body = if body.get("properties").is_null() {
        body
    } else {
        &Json::Null
    };
    for (name, property) in body.get("properties").entries() {
        walker.field(
            Field {
                name,
                schema: property,
                required: required.contains(&name.as_str()),
                location: Some("body"),
                example: &Json::Null,
                description: &Json::Null,
            },
            0,
        );
    }
    let mut params = walker.finish();
    let mut walker = Walker::new(doc);
    wire::missing(info, &params, &mut walker, whole_body);
    params.extend(walker.finish());
    wire::place(info, &mut params);
    out.push_str("\nParameters: one JSON object for --body, by wire name (* required; the client adds the credential)\n");
    if params.is_empty() {
        out.push_str("  (none)\n");
    }
    table(&mut out, &params, true);
    for line in wire::notes(info) {
        let _ = writeln!(out, "  {line}");
    }

    let mut walker = Walker::new(doc);
    let (status, answer) = success_schema(op);
    let (_, mut answer) = walker.resolve(answer);
    let mut of_items = "";
    if answer.get("type").as_str() == Some("array") {
        answer = walker.resolve(answer.get("items")).1;
        of_items = ", of each item of the array";
    }
    walker.properties(answer, 0);
    let fields = walker.finish();
    let _ = writeln!(out, "\nResponse fields (HTTP {status}{of_items})");
    if fields.is_empty() {
        out.push_str("  (none documented)\n");
    }
    table(&mut out, &fields, false);
    if info.envelope == Envelope::Bare {
        out.push_str("  on failure: HTTP 4xx/5xx with {code, message, requestid}\n");
    }

    out.push_str("\nTry it offline with the documented example request\n");
    let _ = writeln!(
        out,
        "  dingtalk --mock call {}{}",
        info.id,
        body_flag(info.example_request)
    );
    out
}

/// The description without the link line the generator appends (shown under `docs`).
fn about(op: &Json) -> String {
    let text = op.get("description").as_str().unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with("接口详见") && !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The 2xx answer's status and JSON schema.
fn success_schema(op: &Json) -> (String, &Json) {
    let responses = op.get("responses").entries();
    let found = responses
        .iter()
        .find(|(status, _)| status == "200")
        .or_else(|| responses.iter().find(|(status, _)| status.starts_with('2')));
    match found {
        Some((status, answer)) => (
            status.clone(),
            answer.at(["content", "application/json", "schema"]),
        ),
        None => ("200".to_owned(), &Json::Null),
    }
}

/// ` --body '…'` for an example request, quoted for a POSIX shell; nothing for `{}`.
fn body_flag(example: &str) -> String {
    if example.trim() == "{}" || example.trim().is_empty() {
        return String::new();
    }
    format!(" --body '{}'", example.replace('\'', r"'\''"))
}

/// Rows as aligned lines, descriptions on the line after their field.
fn table(out: &mut String, rows: &[Row], with_location: bool) {
    const MAX_NAME: usize = 36;
    const MAX_TYPE: usize = 40;
    let label = |r: &Row| {
        format!(
            "{}{}{}",
            "    ".repeat(r.depth),
            r.name,
            if r.required { "*" } else { "" }
        )
    };
    let name_width = rows
        .iter()
        .map(|r| label(r).chars().count())
        .max()
        .unwrap_or(0)
        .min(MAX_NAME);
    let type_width = rows
        .iter()
        .map(|r| r.ty.chars().count())
        .max()
        .unwrap_or(0)
        .min(MAX_TYPE);
    let location_width = rows
        .iter()
        .map(|r| r.location.as_deref().map_or(0, str::len))
        .max()
        .unwrap_or(0)
        .max(6);
    for row in rows {
        let mut line = format!("  {:name_width$}", label(row));
        if with_location {
            let location = row.location.as_deref().unwrap_or("");
            let _ = write!(line, "  {location:location_width$}");
        }
        let _ = write!(line, "  {:type_width$}", row.ty);
        if !row.notes.is_empty() {
            let _ = write!(line, "  {}", row.notes.join("; "));
        }
        if let Some(example) = &row.example {
            let _ = write!(line, "  e.g. {example}");
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if let Some(description) = &row.description {
            let indent = format!("    {}", "    ".repeat(row.depth));
            for l in description.lines().filter(|l| !l.trim().is_empty()) {
                let _ = writeln!(out, "{indent}{}", l.trim());
            }
        }
    }
}

fn auth_text(auth: Auth) -> &'static str {
    match auth {
        Auth::None => "none: the credentials are parameters of the request itself",
        Auth::QueryToken => {
            "access token in the query string (`access_token`), fetched with DINGTALK_APP_KEY and \
             DINGTALK_APP_SECRET and added by the client"
        }
        Auth::HeaderToken => {
            "access token in the `x-acs-dingtalk-access-token` header, fetched with DINGTALK_APP_KEY \
             and DINGTALK_APP_SECRET and added by the client"
        }
        Auth::Robot => {
            "the group robot's webhook token (DINGTALK_ROBOT_TOKEN), signed with DINGTALK_ROBOT_SECRET \
             when that is set"
        }
        Auth::AppSignature => {
            "signed query (`accessKey`, `timestamp`, `signature`): DINGTALK_APP_KEY and the current \
             time signed with DINGTALK_APP_SECRET, added by the client to every attempt"
        }
    }
}

fn envelope_text(envelope: Envelope) -> &'static str {
    match envelope {
        Envelope::Errcode => {
            "errcode: HTTP 200 either way; `errcode` 0 is success, anything else an error with `errmsg`"
        }
        Envelope::Bare => {
            "bare: the body itself on success; errors by HTTP status with {code, message, requestid}"
        }
    }
}

fn effect_text(effect: Effect) -> String {
    let note = match effect {
        Effect::Read => "retried after transient failures",
        Effect::Create => "not retried when it is unclear whether DingTalk processed it",
        Effect::Update | Effect::Delete => {
            "retried only when the failure shows it was not processed"
        }
    };
    format!("{} ({note})", effect.as_str())
}

fn returns_text(returns: Returns) -> &'static str {
    match returns {
        Returns::Object => "object: a JSON object of the response fields",
        Returns::Array => "array: a bare JSON array of objects",
        Returns::Boolean => "boolean: a bare `true` or `false`",
        Returns::Json => "json: any JSON value (the documentation gives it no type)",
        Returns::Empty => "none: a success has no body to read",
    }
}

fn pagination_text(p: &Pagination) -> String {
    let (style, first, end) = match p.style {
        PaginationStyle::CursorHasMore => ("cursor", "0 first", "ends when has_more is false"),
        PaginationStyle::OffsetNextCursor => {
            ("offset", "0 first", "ends when next_cursor is absent")
        }
        PaginationStyle::NullableCursor => (
            "cursor",
            "0 first",
            "ends when next_cursor is null or absent",
        ),
        PaginationStyle::PageNumber => (
            "page number",
            "1 first",
            "ends on a page shorter than the page size",
        ),
        PaginationStyle::NextToken if p.cursor_type == CursorType::String => (
            "next token (a string)",
            "absent first",
            "ends when hasMore is false or the token is empty",
        ),
        PaginationStyle::NextToken => ("next token", "absent first", "ends when hasMore is false"),
        PaginationStyle::OffsetHasMore => (
            "offset",
            "0 first, then plus the page size",
            "ends when hasMore is false or a page is empty",
        ),
    };
    let mut text = format!("{style} `{}` ({first}), page size `{}`", p.cursor, p.size);
    if let Some(next) = p.next {
        let _ = write!(text, ", next cursor `{next}`");
    }
    if let Some(has_more) = p.has_more {
        let _ = write!(text, ", has more `{has_more}`");
    }
    let _ = write!(text, ", items `{}`; {end}", p.items);
    text
}

fn window_text(window: &Json) -> String {
    let name = |k: &str| window.get(k).as_str().unwrap_or("?").to_owned();
    let mut text = format!(
        "`{}`..`{}` spans at most {} days",
        name("start"),
        name("end"),
        window.get("max_days")
    );
    let many = window.get("when_many");
    if !many.is_null() {
        let _ = write!(
            text,
            " ({} when `{}` has more than one item)",
            many.get("max_days"),
            many.get("list")
        );
    }
    text
}

fn requires_text(groups: &[Json]) -> String {
    let groups: Vec<String> = groups
        .iter()
        .map(|g| {
            g.strings()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect();
    groups.join(", or ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use dingtalk_openapi::operation::{Host, Method};

    const DOC: &str = r##"{"paths": {"/topapi/x/list": {"post": {
        "operationId": "x.list", "summary": "列出", "description": "说明。\n\n接口详见: <https://e.x>",
        "externalDocs": {"url": "https://e.x"},
        "parameters": [{"name": "flag", "in": "query", "required": true, "schema": {"type": "boolean"}, "example": true}],
        "requestBody": {"content": {"application/json": {"schema": {"type": "object",
            "properties": {"size": {"type": "integer", "maximum": 20, "description": "每页", "examples": [10]},
                           "q": {"type": "object", "properties": {"who": {"type": "string"}}, "required": ["who"]}},
            "required": ["size"]}}}},
        "responses": {"200": {"content": {"application/json": {"schema": {"type": "object",
            "properties": {"errcode": {"type": ["integer", "null"]}, "result": {"type": ["array", "null"], "items": {"type": "string"}}}}}}}},
        "x-dingtalk-windows": [{"start": "a", "end": "b", "max_days": 10, "when_many": {"list": "ids", "max_days": 1}}]
    }}}}"##;

    #[test]
    fn renders_every_section() {
        static INFO: OperationInfo =
            OperationInfo::new("x.list", Method::Post, Host::Oapi, "/topapi/x/list")
                .with_pagination(PaginationStyle::CursorHasMore);
        let doc: Json = serde_json::from_str(DOC).unwrap();
        let text = render(&INFO, &doc, find(&doc, "x.list"));
        let expected = "\
x.list  列出
POST https://oapi.dingtalk.com/topapi/x/list

说明。

  docs        https://e.x
  auth        access token in the query string (`access_token`), fetched with DINGTALK_APP_KEY and DINGTALK_APP_SECRET and added by the client
  envelope    errcode: HTTP 200 either way; `errcode` 0 is success, anything else an error with `errmsg`
  effect      read (retried after transient failures)
  pagination  cursor `cursor` (0 first), page size `size`, next cursor `result.next_cursor`, has more `result.has_more`, items `result.data_list`; ends when has_more is false
  time window `a`..`b` spans at most 10 days (1 when `ids` has more than one item)

Parameters: one JSON object for --body, by wire name (* required; the client adds the credential)
  flag*     query   boolean  e.g. true
  size*     body    integer  ≤ 20  e.g. 10
    每页
  q         body    object
      who*          string

Response fields (HTTP 200)
  errcode  integer
  result   array of string

Try it offline with the documented example request
  dingtalk --mock call x.list
";
        assert_eq!(text, expected);
    }

    #[test]
    fn text_tokens_say_so() {
        let number = Pagination::usual(PaginationStyle::NextToken);
        assert_eq!(
            pagination_text(&number),
            "next token `nextToken` (absent first), page size `maxResults`, next cursor `nextToken`, has more `hasMore`, items `list`; ends when hasMore is false"
        );
        let text = pagination_text(&number.with_cursor_type(CursorType::String));
        assert!(
            text.starts_with("next token (a string) `nextToken`")
                && text.ends_with("ends when hasMore is false or the token is empty"),
            "{text}"
        );
    }

    #[test]
    fn quotes_examples_for_the_shell() {
        assert_eq!(body_flag("{}"), "");
        assert_eq!(body_flag(r#"{"a":"it's"}"#), r#" --body '{"a":"it'\''s"}'"#);
    }
}
