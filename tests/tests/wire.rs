//! The wire request of every operation, as the fake receives it from the typed [`Client`]:
//! method, path, query (credential first, then query parameters), headers (credential,
//! content type) and the exact JSON body, key order included.
//!
//! The expected request is derived from the operation's documented example and its
//! `OperationInfo`, so an operation added to the spec is checked without touching this file.

use dingtalk_openapi::operation::{Auth, Encode, Location, Method, OperationInfo};
use dingtalk_openapi::operations;
use dingtalk_openapi_fake::{MockServer, RecordedRequest};
use serde_json::{Map, Value};

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Every difference between what `op`'s example should put on the wire and what arrived.
fn check(
    op: &OperationInfo,
    got: &RecordedRequest,
    token: &str,
    robot_token: &str,
    app_key: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut expect = |ok: bool, what: String| {
        if !ok {
            problems.push(format!("{}: {what}", op.id));
        }
    };
    expect(
        got.method == op.method.as_str(),
        format!("method {} instead of {}", got.method, op.method.as_str()),
    );
    let example: Map<String, Value> =
        serde_json::from_str(op.example_request).expect("example is an object");
    let param = |key: &str| op.params.iter().find(|p| p.name == key);
    // Each `{name}` of the template holds the example's value, percent-encoded as one segment.
    let mut want_path = op.path.to_owned();
    for (k, v) in example
        .iter()
        .filter(|(k, _)| param(k).is_some_and(|p| p.location == Location::Path))
    {
        let segment = text(v).map(|t| percent_encode(&t)).unwrap_or_default();
        want_path = want_path.replace(&format!("{{{k}}}"), &segment);
    }
    expect(
        got.path == want_path,
        format!("path {} instead of {want_path}", got.path),
    );
    // Where a key goes: as declared; a key no parameter declares goes to the query of a GET and
    // the body of anything else.
    let location = |key: &str| match param(key) {
        Some(p) => p.location,
        None if op.method == Method::Get => Location::Query,
        None => Location::Body,
    };
    let encode = |key: &str| param(key).map_or(Encode::Plain, |p| p.encode);
    // A value as the query or a header carries it: one JSON text, numbered keys, or its text.
    let as_text = |key: &str, v: &Value| -> Vec<(String, String)> {
        match encode(key) {
            Encode::Json => vec![(key.to_owned(), v.to_string())],
            Encode::Repeat => numbered(key, v),
            Encode::Plain => text(v).map(|t| (key.to_owned(), t)).into_iter().collect(),
        }
    };
    // The credential, where the host wants it, and nowhere else.
    let mut query = got.query.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    match op.auth {
        Auth::QueryToken => {
            expect(
                query.next() == Some(("access_token", token)),
                format!("query should start with the access token: {:?}", got.query),
            );
            expect(
                got.header("x-acs-dingtalk-access-token").is_none(),
                "token header on an oapi call".into(),
            );
        }
        Auth::HeaderToken => {
            expect(
                got.header("x-acs-dingtalk-access-token") == Some(token),
                "missing x-acs-dingtalk-access-token".into(),
            );
            expect(
                got.query_value("access_token").is_none(),
                "token in the query of a v1.0 call".into(),
            );
        }
        Auth::Robot => {
            expect(
                query.next() == Some(("access_token", robot_token)),
                format!("query should start with the robot token: {:?}", got.query),
            );
            let (ts, sign) = (query.next(), query.next());
            expect(
                ts.is_some_and(|(k, _)| k == "timestamp"),
                format!("timestamp should follow the token: {:?}", got.query),
            );
            expect(
                sign.is_some_and(|(k, _)| k == "sign"),
                format!("sign should follow the timestamp: {:?}", got.query),
            );
        }
        Auth::AppSignature => {
            let names: Vec<&str> = query.by_ref().take(3).map(|(k, _)| k).collect();
            expect(
                names == ["accessKey", "timestamp", "signature"],
                format!("query should start with the signed query: {:?}", got.query),
            );
            expect(
                got.query_value("accessKey") == Some(app_key),
                format!("accessKey is not the app key: {:?}", got.query),
            );
            expect(
                got.query_value("access_token").is_none()
                    && got.header("x-acs-dingtalk-access-token").is_none(),
                "a token on a signed call".into(),
            );
        }
        Auth::None => expect(
            got.query_value("access_token").is_none(),
            "a credential on an unauthenticated call".into(),
        ),
    }
    // Query parameters, in declared order.
    let want_query: Vec<(String, String)> = example
        .iter()
        .filter(|(k, _)| location(k) == Location::Query)
        .flat_map(|(k, v)| as_text(k, v))
        .collect();
    let got_query: Vec<(String, String)> =
        query.map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
    expect(
        got_query == want_query,
        format!("query parameters {got_query:?} instead of {want_query:?}"),
    );
    for (k, v) in example
        .iter()
        .filter(|(k, _)| location(k) == Location::Header)
    {
        let want = as_text(k, v).into_iter().next().map(|(_, t)| t);
        expect(
            got.header(k) == want.as_deref(),
            format!("header {k} is {:?}", got.header(k)),
        );
    }
    // The body: exactly the body parameters, in order, as JSON (a JSON-text one as a string
    // holding its JSON), or the one whole-body value.
    let body: Map<String, Value> = example
        .iter()
        .filter(|(k, _)| location(k) == Location::Body)
        .map(|(k, v)| match encode(k) {
            Encode::Json => (k.clone(), Value::String(v.to_string())),
            _ => (k.clone(), v.clone()),
        })
        .collect();
    let whole = example
        .iter()
        .find(|(k, _)| location(k) == Location::WholeBody)
        .map(|(_, v)| v);
    let multipart = op.params.iter().any(|p| p.location.is_multipart());
    if multipart {
        // Text fields, then files, each in the example's order; a file as its name and content.
        let mut want: Vec<(String, Option<String>, String)> = example
            .iter()
            .filter(|(k, _)| location(k) == Location::Form)
            .filter_map(|(k, v)| text(v).map(|t| (k.clone(), None, t)))
            .collect();
        want.extend(
            example
                .iter()
                .filter(|(k, _)| location(k) == Location::File)
                .map(|(k, v)| {
                    let field = |name: &str| v[name].as_str().unwrap_or_default().to_owned();
                    (k.clone(), Some(field("filename")), field("content"))
                }),
        );
        let ct = got.header("content-type").unwrap_or_default();
        match ct.strip_prefix("multipart/form-data; boundary=") {
            Some(boundary) => {
                let parts = form_parts(&String::from_utf8_lossy(&got.body), boundary);
                expect(
                    parts == want,
                    format!("form parts {parts:?} instead of {want:?}"),
                );
            }
            None => expect(false, format!("content type {ct:?}")),
        }
    } else if whole.is_none()
        && body.is_empty()
        && matches!(op.method, Method::Get | Method::Delete)
    {
        expect(
            got.body.is_empty(),
            format!("a {} with a body", op.method.as_str()),
        );
    } else {
        let ct = got.header("content-type").unwrap_or_default();
        expect(
            ct.starts_with("application/json"),
            format!("content type {ct:?}"),
        );
        let want = match whole {
            Some(value) => serde_json::to_string(value).expect("serialize"),
            None => serde_json::to_string(&body).expect("serialize"),
        };
        let got_body = String::from_utf8_lossy(&got.body);
        expect(
            got_body == want,
            format!("body {got_body} instead of {want}"),
        );
    }
    problems
}

/// A path segment as the client writes it: every byte outside the unreserved set as `%XX`.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A list as numbered query keys (`name.1=a`, `name.2.key=b`), nested values alike.
fn numbered(prefix: &str, v: &Value) -> Vec<(String, String)> {
    match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .flat_map(|(i, item)| numbered(&format!("{prefix}.{}", i + 1), item))
            .collect(),
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, item)| numbered(&format!("{prefix}.{k}"), item))
            .collect(),
        other => text(other)
            .map(|t| (prefix.to_owned(), t))
            .into_iter()
            .collect(),
    }
}

/// The parts of a `multipart/form-data` body: name, file name (for a file) and content.
fn form_parts(body: &str, boundary: &str) -> Vec<(String, Option<String>, String)> {
    let delimiter = format!("--{boundary}");
    body.split(delimiter.as_str())
        .filter_map(|part| {
            let part = part.strip_prefix("\r\n")?;
            let (head, content) = part.split_once("\r\n\r\n")?;
            let disposition = head
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
            let attribute = |key: &str| {
                let start = disposition.find(&format!("{key}=\""))? + key.len() + 2;
                let end = start + disposition[start..].find('"')?;
                Some(disposition[start..end].to_owned())
            };
            let content = content.strip_suffix("\r\n").unwrap_or(content);
            Some((
                attribute("name")?,
                attribute("filename"),
                content.to_owned(),
            ))
        })
        .collect()
}

#[test]
fn form_parts_reads_fields_and_files() {
    let body = "--b\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nimage\r\n\
                --b\r\nContent-Disposition: form-data; name=\"media\"; filename=\"a.png\"\r\n\
                Content-Type: image/png\r\n\r\nPNG\r\n--b--\r\n";
    assert_eq!(
        form_parts(body, "b"),
        [
            ("type".to_owned(), None, "image".to_owned()),
            (
                "media".to_owned(),
                Some("a.png".to_owned()),
                "PNG".to_owned()
            )
        ]
    );
}

#[tokio::test]
async fn every_operation_puts_its_example_on_the_wire_as_documented() {
    let server = MockServer::builder(dingtalk_openapi_fake::operations())
        .start()
        .await
        .expect("start the fake");
    let builder = tests::fake_client(&server);
    let client = builder.build().expect("client");
    let token = client
        .access_token()
        .await
        .expect("token")
        .expose()
        .to_owned();
    let mut problems = Vec::new();
    let ops = operations();
    assert!(ops.len() >= 24, "only {} operations", ops.len());
    for op in &ops {
        let before = server.requests().len();
        let call = tests::call_example(&client, op.id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if let Err(e) = call {
            problems.push(format!("{}: the call failed: {e}", op.id));
            continue;
        }
        let sent: Vec<RecordedRequest> = server
            .requests()
            .into_iter()
            .skip(before)
            .filter(|r| r.operation == Some(op.id))
            .collect();
        match sent.as_slice() {
            [one] => problems.extend(check(
                op,
                one,
                &token,
                server.robot_token(),
                server.app_key(),
            )),
            other => problems.push(format!(
                "{}: {} requests reached the fake",
                op.id,
                other.len()
            )),
        }
    }
    assert!(
        problems.is_empty(),
        "{} wire problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
