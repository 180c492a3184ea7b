//! The wire request of every operation, as the fake receives it from the typed [`Client`]:
//! method, path, query (credential first, then query parameters), headers (credential,
//! content type) and the exact JSON body, key order included.
//!
//! The expected request is derived from the operation's documented example and its
//! `OperationInfo`, so an operation added to the spec is checked without touching this file.

use dingtalk_openapi::operation::{
    Auth, Location, Method, Operation, OperationInfo, OperationVisitor,
};
use dingtalk_openapi::{Client, Error, operations, visit_operation};
use dingtalk_openapi_fake::{MockServer, RecordedRequest};
use serde_json::{Map, Value};
use std::future::Future;
use std::pin::Pin;

struct CallExample<'a> {
    client: &'a Client,
}

impl<'a> OperationVisitor for CallExample<'a> {
    type Output = Pin<Box<dyn Future<Output = Result<(), Error>> + Send + 'a>>;

    fn visit<O: Operation + serde::de::DeserializeOwned>(self) -> Self::Output {
        let client = self.client;
        Box::pin(async move {
            let request: O = serde_json::from_str(O::INFO.example_request)
                .expect("example request deserializes");
            client.execute(request).await.map(drop)
        })
    }
}

/// A query or header value as text, the way the client writes it.
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
    expect(
        got.path == op.path,
        format!("path {} instead of {}", got.path, op.path),
    );
    let example: Map<String, Value> =
        serde_json::from_str(op.example_request).expect("example is an object");
    let location = |key: &str| {
        let declared = op
            .params
            .iter()
            .find(|p| p.name == key)
            .map_or(Location::Body, |p| p.location);
        if op.method == Method::Get && declared == Location::Body {
            Location::Query
        } else {
            declared
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
        .filter_map(|(k, v)| text(v).map(|t| (k.clone(), t)))
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
        expect(
            got.header(k) == text(v).as_deref(),
            format!("header {k} is {:?}", got.header(k)),
        );
    }
    // The body: exactly the body parameters, in order, as JSON.
    let body: Map<String, Value> = example
        .iter()
        .filter(|(k, _)| location(k) == Location::Body)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
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
    } else if op.method == Method::Get {
        expect(got.body.is_empty(), "a GET with a body".into());
    } else {
        let ct = got.header("content-type").unwrap_or_default();
        expect(
            ct.starts_with("application/json"),
            format!("content type {ct:?}"),
        );
        let want = serde_json::to_string(&body).expect("serialize");
        let got_body = String::from_utf8_lossy(&got.body);
        expect(
            got_body == want,
            format!("body {got_body} instead of {want}"),
        );
    }
    problems
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
        let call = visit_operation(op.id, CallExample { client: &client }).expect("known id");
        if let Err(e) = call.await {
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
