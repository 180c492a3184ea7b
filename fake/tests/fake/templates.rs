//! The v1.0 shapes no curated operation has yet, on hand-written operations: routing by path
//! template and method (percent-encoded segments, a literal path beside a template, one
//! template with three methods), path parameters, a whole-body array, values sent as JSON text
//! (query, header, body) or as numbered query keys, a GET with a JSON body, and answers that
//! are a bare boolean, array or JSON value, or nothing at all.
//!
//! Each operation here has an optional `echo` query parameter: with `echo=true` its check
//! refuses the request, quoting the typed request as the fake rebuilt it, so a test sees exactly
//! what reached "the request".

use dingtalk_openapi::operation::{
    Auth, Encode, Envelope, Host, Location, Method, Operation, OperationInfo, Param, Returns,
};
use dingtalk_openapi_fake::{Fault, MockOperation, MockServer};
use dingtalk_openapi_runtime::validate::{FieldPath, ValidationError};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::common::{Answer, Fake, TOKEN_HEADER};

/// Implements [`Operation`] for a hand-written v1.0 request type with an `echo` field.
macro_rules! operation {
    ($ty:ident, $id:literal, $method:ident $path:literal, $returns:ident $example:literal,
     [$($param:expr),* $(,)?]) => {
        impl Operation for $ty {
            type Response = Value;
            const INFO: &'static OperationInfo = &{
                let mut info = OperationInfo::new($id, Method::$method, Host::Api, $path)
                    .with_auth(Auth::HeaderToken)
                    .with_envelope(Envelope::Bare)
                    .with_returns(Returns::$returns)
                    .with_params(&[$($param,)* ECHO]);
                info.example_response = $example;
                info
            };

            fn validate(&self) -> Result<(), ValidationError> {
                echo(Self::INFO.id, self, self.echo)
            }
        }
    };
}

/// The `echo` query parameter every operation here has.
const ECHO: Param = Param::new("echo", Location::Query, false, false);

/// With `echo` set, refuses the request quoting it (as JSON, `echo` left out).
fn echo(
    id: &'static str,
    request: &impl Serialize,
    echo: Option<bool>,
) -> Result<(), ValidationError> {
    if echo != Some(true) {
        return Ok(());
    }
    let quoted = serde_json::to_string(request).unwrap_or_default();
    Err(FieldPath::root(id).field("echo").error(quoted))
}

const fn path(name: &'static str) -> Param {
    Param::new(name, Location::Path, true, false)
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GetUser {
    #[serde(rename = "userId")]
    user_id: String,
    #[serde(default, skip_serializing)]
    echo: Option<bool>,
}
operation!(GetUser, "x.users.get", Get "/v1.0/x/users/{userId}", Object r#"{"name":"get"}"#,
    [path("userId")]);

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PutUser {
    #[serde(rename = "userId")]
    user_id: String,
    name: String,
    #[serde(default, skip_serializing)]
    echo: Option<bool>,
}
operation!(PutUser, "x.users.put", Put "/v1.0/x/users/{userId}", Object r#"{"name":"put"}"#,
    [path("userId"), Param::new("name", Location::Body, true, false)]);

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteUser {
    #[serde(rename = "userId")]
    user_id: String,
    #[serde(default, skip_serializing)]
    echo: Option<bool>,
}
operation!(DeleteUser, "x.users.delete", Delete "/v1.0/x/users/{userId}", Empty "{}",
    [path("userId")]);

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Me {
    #[serde(default, skip_serializing)]
    echo: Option<bool>,
}
operation!(Me, "x.users.me", Get "/v1.0/x/users/me", Object r#"{"name":"me"}"#, []);

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupOpen {
    #[serde(rename = "groupId")]
    group_id: i64,
    #[serde(default, skip_serializing)]
    echo: Option<bool>,
}
operation!(GroupOpen, "x.groups.open", Get "/v1.0/x/groups/{groupId}/open", Boolean "false",
    [path("groupId")]);

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    id: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Batch {
    body: Vec<Item>,
    #[serde(default, skip_serializing)]
    echo: Option<bool>,
}
operation!(Batch, "x.batch", Post "/v1.0/x/batch", Array r#"[{"id":"1"}]"#,
    [Param::new("body", Location::WholeBody, true, false)]);

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Filter {
    a: i64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Range {
    from: i64,
    to: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Search {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    filter: Option<Filter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ranges: Option<Vec<Range>>,
    #[serde(rename = "x-opts", default, skip_serializing_if = "Option::is_none")]
    opts: Option<Value>,
    #[serde(default, skip_serializing)]
    echo: Option<bool>,
}
operation!(Search, "x.search", Get "/v1.0/x/search", Object "{}", [
    Param::new("filter", Location::Query, false, false).with_encode(Encode::Json),
    Param::new("ids", Location::Query, false, false).with_encode(Encode::Json),
    Param::new("tags", Location::Query, false, false).with_encode(Encode::Repeat),
    Param::new("ranges", Location::Query, false, false).with_encode(Encode::Repeat),
    Param::new("x-opts", Location::Header, false, false).with_encode(Encode::Json),
]);

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Meta {
    k: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Note {
    title: String,
    meta: Meta,
    #[serde(default, skip_serializing)]
    echo: Option<bool>,
}
operation!(Note, "x.notes", Post "/v1.0/x/notes", Object r#"{"id":"n1"}"#, [
    Param::new("title", Location::Body, true, false),
    Param::new("meta", Location::Body, true, false).with_encode(Encode::Json),
]);

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Query {
    q: String,
    #[serde(default, skip_serializing)]
    echo: Option<bool>,
}
operation!(Query, "x.query", Get "/v1.0/x/query", Json r#"[1,"two",{"three":3}]"#,
    [Param::new("q", Location::Body, true, false)]);

/// A fake of the operations above only, and a token for it.
async fn start() -> (Fake, String) {
    let operations = vec![
        MockOperation::of::<GetUser>(),
        MockOperation::of::<PutUser>(),
        MockOperation::of::<DeleteUser>(),
        MockOperation::of::<Me>(),
        MockOperation::of::<GroupOpen>(),
        MockOperation::of::<Batch>(),
        MockOperation::of::<Search>(),
        MockOperation::of::<Note>(),
        MockOperation::of::<Query>(),
    ];
    let fake = Fake::start_with(MockServer::builder(operations)).await;
    let token = fake.token().await;
    (fake, token)
}

/// `method` on `path_and_query` (already encoded) with the token, and `body` as JSON if given.
async fn send(
    fake: &Fake,
    token: &str,
    method: reqwest::Method,
    path_and_query: &str,
    body: Option<Value>,
) -> Answer {
    let mut request = fake
        .http
        .request(method, fake.url(path_and_query))
        .header(TOKEN_HEADER, token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    fake.send(request).await
}

/// The typed request an `echo=true` call quoted.
fn echoed(answer: &Answer) -> Value {
    assert_eq!(answer.status, 400, "{}", answer.text);
    let message = answer.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (_, quoted) = message
        .split_once("echo: ")
        .unwrap_or_else(|| panic!("not an echo: {}", answer.text));
    serde_json::from_str(quoted).unwrap_or_else(|e| panic!("{e}: {quoted}"))
}

/// Asserts an `InvalidParameter` answer naming `field`.
fn assert_invalid(answer: &Answer, field: &str) {
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (400, "InvalidParameter"),
        "{}",
        answer.text
    );
    let message = answer.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains(field), "{field} not named: {message}");
}

const GET: reqwest::Method = reqwest::Method::GET;
const POST: reqwest::Method = reqwest::Method::POST;

#[tokio::test]
async fn a_template_matches_percent_encoded_segments_and_decodes_them() {
    let (fake, token) = start().await;
    let raw = "/v1.0/x/users/%E5%BC%A0%E4%B8%89%2Fa";
    let ok = send(&fake, &token, GET, raw, None).await;
    assert_eq!(
        (ok.status, ok.json()),
        (200, json!({"name": "get"})),
        "{}",
        ok.text
    );
    assert!(ok.request_id.is_some());
    let recorded = fake.server.requests().pop().expect("recorded");
    assert_eq!(
        (recorded.path.as_str(), recorded.operation),
        (raw, Some("x.users.get"))
    );
    let echo = send(&fake, &token, GET, &format!("{raw}?echo=true"), None).await;
    assert_eq!(echoed(&echo), json!({"userId": "张三/a"}));
    let recorded = fake.server.requests().pop().expect("recorded");
    assert_eq!(recorded.query_value("echo"), Some("true"));
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_literal_path_beats_a_template_of_the_same_method() {
    let (fake, token) = start().await;
    let me = send(&fake, &token, GET, "/v1.0/x/users/me", None).await;
    assert_eq!(me.json(), json!({"name": "me"}), "{}", me.text);
    // PUT: only the template has the method, so `me` is a user id there.
    let put = "/v1.0/x/users/me?echo=true";
    let echo = send(
        &fake,
        &token,
        reqwest::Method::PUT,
        put,
        Some(json!({"name": "n"})),
    )
    .await;
    assert_eq!(echoed(&echo), json!({"userId": "me", "name": "n"}));
    let ops: Vec<_> = fake
        .server
        .requests()
        .iter()
        .skip(1)
        .map(|r| r.operation)
        .collect(); // after the token
    assert_eq!(ops, [Some("x.users.me"), Some("x.users.put")]);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn one_template_serves_each_of_its_methods() {
    let (fake, token) = start().await;
    let at = "/v1.0/x/users/u1";
    let get = send(&fake, &token, GET, at, None).await;
    assert_eq!(get.json(), json!({"name": "get"}), "{}", get.text);
    let put = send(
        &fake,
        &token,
        reqwest::Method::PUT,
        at,
        Some(json!({"name": "n"})),
    )
    .await;
    assert_eq!(put.json(), json!({"name": "put"}), "{}", put.text);
    // Returns::Empty: HTTP 200, no body, the request id header still there.
    let delete = send(&fake, &token, reqwest::Method::DELETE, at, None).await;
    assert_eq!((delete.status, delete.text.as_str()), (200, ""));
    assert!(delete.request_id.is_some());
    let ops: Vec<_> = fake
        .server
        .requests()
        .iter()
        .skip(1)
        .map(|r| r.operation)
        .collect(); // after the token
    assert_eq!(
        ops,
        [
            Some("x.users.get"),
            Some("x.users.put"),
            Some("x.users.delete")
        ]
    );
    // A fault still answers in full for an operation that returns nothing.
    fake.server
        .faults()
        .push_for("x.users.delete", Fault::http(503, "ServiceUnavailable"));
    let fault = send(&fake, &token, reqwest::Method::DELETE, at, None).await;
    assert_eq!(
        (fault.status, fault.code().as_str()),
        (503, "ServiceUnavailable")
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_path_that_matches_without_the_method_is_refused_for_its_method() {
    let (fake, token) = start().await;
    let post = send(&fake, &token, POST, "/v1.0/x/users/u1", Some(json!({}))).await;
    assert_eq!(
        (post.status, post.code().as_str()),
        (405, "MethodNotAllowed"),
        "{}",
        post.text
    );
    for unknown in [
        "/v1.0/x/users/",
        "/v1.0/x/users/u1/more",
        "/v1.0/x/groups//open",
    ] {
        let answer = send(&fake, &token, GET, unknown, None).await;
        assert_eq!(
            (answer.status, answer.code().as_str()),
            (404, "NotFound"),
            "{unknown}"
        );
    }
    fake.server.shutdown().await;
}

#[tokio::test]
async fn an_integer_path_parameter_is_read_as_a_number_and_a_boolean_answered_bare() {
    let (fake, token) = start().await;
    let echo = send(&fake, &token, GET, "/v1.0/x/groups/12/open?echo=true", None).await;
    assert_eq!(echoed(&echo), json!({"groupId": 12}));
    let wrong = send(&fake, &token, GET, "/v1.0/x/groups/twelve/open", None).await;
    assert_invalid(&wrong, "groupId");
    let ok = send(&fake, &token, GET, "/v1.0/x/groups/12/open", None).await;
    assert_eq!((ok.status, ok.text.as_str()), (200, "false"));
    // An error answer of a boolean operation is the usual v1.0 error.
    fake.server
        .faults()
        .push_for("x.groups.open", Fault::errcode(90018));
    let fault = send(&fake, &token, GET, "/v1.0/x/groups/12/open", None).await;
    assert_eq!(fault.status, 403, "{}", fault.text);
    assert!(fault.code().starts_with("Forbidden"), "{}", fault.text);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_whole_body_array_is_the_parameter_and_an_array_is_answered_bare() {
    let (fake, token) = start().await;
    let items = json!([{"id": "a"}, {"id": "b"}]);
    let ok = send(&fake, &token, POST, "/v1.0/x/batch", Some(items.clone())).await;
    assert_eq!(
        (ok.status, ok.json()),
        (200, json!([{"id": "1"}])),
        "{}",
        ok.text
    );
    let echo = send(
        &fake,
        &token,
        POST,
        "/v1.0/x/batch?echo=true",
        Some(items.clone()),
    )
    .await;
    assert_eq!(echoed(&echo), json!({"body": items}));
    let object = send(
        &fake,
        &token,
        POST,
        "/v1.0/x/batch",
        Some(json!({"id": "a"})),
    )
    .await;
    assert_invalid(&object, "body");
    let missing = send(&fake, &token, POST, "/v1.0/x/batch", None).await;
    assert_eq!(missing.code(), "MissingParameter", "{}", missing.text);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn json_text_in_the_query_and_a_header_is_read_back() {
    let (fake, token) = start().await;
    let query = [
        ("filter", r#"{"a":1}"#),
        ("ids", r#"["x","y"]"#),
        ("echo", "true"),
    ];
    let request = fake
        .http
        .get(fake.at("/v1.0/x/search", &query))
        .header(TOKEN_HEADER, &token)
        .header("x-opts", r#"{"deep":true}"#);
    let echo = fake.send(request).await;
    assert_eq!(
        echoed(&echo),
        json!({"filter": {"a": 1}, "ids": ["x", "y"], "x-opts": {"deep": true}})
    );
    let broken = fake.at("/v1.0/x/search", &[("filter", r#"{"a":"#)]);
    let broken = format!("{}?{}", broken.path(), broken.query().unwrap_or_default());
    let answer = send(&fake, &token, GET, &broken, None).await;
    assert_invalid(&answer, "filter");
    fake.server.shutdown().await;
}

#[tokio::test]
async fn repeat_encoded_lists_of_text_and_of_objects_are_rebuilt() {
    let (fake, token) = start().await;
    let query = "tags.2=b&tags.1=a&ranges.1.from=1&ranges.1.to=x&ranges.2.to=y&ranges.2.from=2";
    let echo = send(
        &fake,
        &token,
        GET,
        &format!("/v1.0/x/search?{query}&echo=true"),
        None,
    )
    .await;
    assert_eq!(
        echoed(&echo),
        json!({
            "tags": ["a", "b"],
            "ranges": [{"from": 1, "to": "x"}, {"from": 2, "to": "y"}],
        })
    );
    let gap = send(&fake, &token, GET, "/v1.0/x/search?tags.1=a&tags.3=c", None).await;
    assert_invalid(&gap, "tags.2");
    let wrong = "/v1.0/x/search?ranges.1.from=one&ranges.1.to=x";
    assert_invalid(
        &send(&fake, &token, GET, wrong, None).await,
        "ranges[0].from",
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn json_text_in_a_body_field_is_read_back() {
    let (fake, token) = start().await;
    let body = json!({"title": "t", "meta": r#"{"k":"v"}"#});
    let ok = send(&fake, &token, POST, "/v1.0/x/notes", Some(body.clone())).await;
    assert_eq!(
        (ok.status, ok.json()),
        (200, json!({"id": "n1"})),
        "{}",
        ok.text
    );
    let echo = send(&fake, &token, POST, "/v1.0/x/notes?echo=true", Some(body)).await;
    assert_eq!(echoed(&echo), json!({"title": "t", "meta": {"k": "v"}}));
    for meta in [json!({"k": "v"}), json!("{\"k\":")] {
        let body = json!({"title": "t", "meta": meta});
        let answer = send(&fake, &token, POST, "/v1.0/x/notes", Some(body)).await;
        assert_invalid(&answer, "meta");
    }
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_get_with_body_parameters_reads_its_json_body() {
    let (fake, token) = start().await;
    let body = json!({"q": "hello"});
    let echo = send(
        &fake,
        &token,
        GET,
        "/v1.0/x/query?echo=true",
        Some(body.clone()),
    )
    .await;
    assert_eq!(echoed(&echo), body);
    let ok = send(&fake, &token, GET, "/v1.0/x/query", Some(body)).await;
    assert_eq!(
        (ok.status, ok.json()),
        (200, json!([1, "two", {"three": 3}])),
        "{}",
        ok.text
    );
    let missing = send(&fake, &token, GET, "/v1.0/x/query", None).await;
    assert_eq!(missing.code(), "MissingParameter", "{}", missing.text);
    fake.server.shutdown().await;
}
