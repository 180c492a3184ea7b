//! Request and answer shapes beyond a JSON object of keys: path parameters percent-encoded into
//! the path template, a whole-body JSON array, values written as JSON text or as numbered query
//! keys, PATCH, a GET with a JSON body, and answers that are nothing, a bare boolean, a bare
//! array or any JSON. Every test checks the exact bytes the fake received.

use std::sync::{Arc, Mutex};

use dingtalk_openapi_runtime::hooks::{AttemptInfo, Interceptor, redacted_url};
use dingtalk_openapi_runtime::operation::{
    Auth, Encode, Envelope, Host, Location, Method as OpMethod, Operation, OperationInfo, Param,
    Returns,
};
use dingtalk_openapi_runtime::{BoxError, Error};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::common::*;

/// A v1.0 operation: the token in its header, errors by HTTP status.
const fn v1(id: &'static str, method: OpMethod, path: &'static str) -> OperationInfo {
    OperationInfo::new(id, method, Host::Api, path)
        .with_auth(Auth::HeaderToken)
        .with_envelope(Envelope::Bare)
}

/// Implements [`Operation`] for a request type with the given facts.
macro_rules! operation {
    ($request:ty => $response:ty, $info:ident = $facts:expr) => {
        static $info: OperationInfo = $facts;
        impl Operation for $request {
            type Response = $response;
            const INFO: &'static OperationInfo = &$info;
        }
    };
}

/// `GET /v1.0/shapes/users/{userId}`: one path parameter (any JSON, to try every kind) and a
/// query parameter.
#[derive(Debug, Serialize)]
struct UserGet {
    #[serde(rename = "userId")]
    user_id: Value,
    lang: &'static str,
}

operation!(UserGet => Value, USER_GET = v1("shapes.user.get", OpMethod::Get, "/v1.0/shapes/users/{userId}")
.with_params(&[
    Param::new("userId", Location::Path, true, false),
    Param::new("lang", Location::Query, false, false),
]));

/// `PATCH /topapi/shapes/depts/{deptId}/members/{userId}`: two path parameters, the token in the
/// query, a body key.
#[derive(Debug, Serialize)]
struct MemberPatch {
    title: &'static str,
    #[serde(rename = "userId")]
    user_id: &'static str,
    #[serde(rename = "deptId")]
    dept_id: i64,
}

operation!(MemberPatch => Value, MEMBER_PATCH = OperationInfo::new(
    "shapes.member.patch",
    OpMethod::Patch,
    Host::Oapi,
    "/topapi/shapes/depts/{deptId}/members/{userId}",
)
.with_params(&[
    Param::new("deptId", Location::Path, true, false),
    Param::new("userId", Location::Path, true, false),
    Param::new("title", Location::Body, true, false),
]));

/// A path template whose `{orphanId}` no parameter fills.
#[derive(Debug, Serialize)]
struct Orphan {
    #[serde(rename = "orphanId")]
    orphan_id: &'static str,
}

operation!(Orphan => Value, ORPHAN = v1("shapes.orphan", OpMethod::Get, "/v1.0/shapes/orphans/{orphanId}"));

/// `POST /v1.0/shapes/batch`: the body is the list itself.
#[derive(Debug, Serialize)]
struct Batch {
    #[serde(skip_serializing_if = "Option::is_none")]
    items: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stray: Option<i64>,
}

operation!(Batch => Value, BATCH = v1("shapes.batch", OpMethod::Post, "/v1.0/shapes/batch")
    .with_params(&[Param::new("items", Location::WholeBody, false, false)]));

/// `POST /v1.0/shapes/encoded`: values written as one JSON text in the query, a header and the
/// body.
#[derive(Debug, Serialize)]
struct Encoded {
    filter: Value,
    ids: Vec<&'static str>,
    #[serde(rename = "x-acs-meta")]
    meta: Value,
    extension: Value,
    plain: Value,
}

operation!(Encoded => Value, ENCODED = v1("shapes.encoded", OpMethod::Post, "/v1.0/shapes/encoded")
.with_params(&[
    Param::new("filter", Location::Query, false, false).with_encode(Encode::Json),
    Param::new("ids", Location::Query, false, false).with_encode(Encode::Json),
    Param::new("x-acs-meta", Location::Header, false, false).with_encode(Encode::Json),
    Param::new("extension", Location::Body, false, false).with_encode(Encode::Json),
    Param::new("plain", Location::Body, false, false),
]));

/// `GET /v1.0/shapes/repeated`: lists in the query as numbered keys.
#[derive(Debug, Serialize)]
struct Repeated {
    #[serde(rename = "userIds")]
    user_ids: Vec<&'static str>,
    items: Value,
    empty: Vec<i64>,
}

operation!(Repeated => Value, REPEATED = v1("shapes.repeated", OpMethod::Get, "/v1.0/shapes/repeated")
.with_params(&[
    Param::new("userIds", Location::Query, true, false).with_encode(Encode::Repeat),
    Param::new("items", Location::Query, true, false).with_encode(Encode::Repeat),
    Param::new("empty", Location::Query, false, false).with_encode(Encode::Repeat),
]));

/// `GET /v1.0/shapes/search`: a declared body parameter, a query parameter, and a key the table
/// does not name.
#[derive(Debug, Serialize)]
struct Search {
    size: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<Value>,
    extra: i64,
}

operation!(Search => Value, SEARCH = v1("shapes.search", OpMethod::Get, "/v1.0/shapes/search")
.with_params(&[
    Param::new("size", Location::Query, true, false),
    Param::new("filter", Location::Body, false, false),
]));

/// Answers of each [`Returns`] kind; the request is one body key.
#[derive(Debug, Serialize)]
struct Nothing {
    n: i64,
}

operation!(Nothing => (), NOTHING = v1("shapes.nothing", OpMethod::Post, "/v1.0/shapes/nothing")
    .with_returns(Returns::Empty));

/// An oapi operation that returns nothing, to see errcode errors still read.
#[derive(Debug, Serialize)]
struct OapiNothing {
    n: i64,
}

operation!(OapiNothing => (), OAPI_NOTHING = OperationInfo::new(
        "shapes.oapi_nothing",
        OpMethod::Post,
        Host::Oapi,
        "/topapi/shapes/nothing",
    )
    .with_returns(Returns::Empty));

#[derive(Debug, Serialize)]
struct Flag {
    n: i64,
}

operation!(Flag => bool, FLAG = v1("shapes.flag", OpMethod::Post, "/v1.0/shapes/flag")
    .with_returns(Returns::Boolean));

#[derive(Debug, Serialize)]
struct List {
    n: i64,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Item {
    id: i64,
}

operation!(List => Vec<Item>, LIST = v1("shapes.list", OpMethod::Post, "/v1.0/shapes/list")
    .with_returns(Returns::Array));

#[derive(Debug, Serialize)]
struct Untyped {
    n: i64,
}

operation!(Untyped => Value, UNTYPED = v1("shapes.untyped", OpMethod::Post, "/v1.0/shapes/untyped")
    .with_returns(Returns::Json));

/// The one request the fake received.
fn only(fake: &Fake) -> Recorded {
    let requests = fake.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    requests.into_iter().next().unwrap()
}

#[tokio::test]
async fn path_parameters_are_percent_encoded_as_one_segment() {
    let cases = [
        (json!("a b/c%d"), "/v1.0/shapes/users/a%20b%2Fc%25d"),
        (json!("张三"), "/v1.0/shapes/users/%E5%BC%A0%E4%B8%89"),
        (json!(42), "/v1.0/shapes/users/42"),
        (json!("A-z.0_9~"), "/v1.0/shapes/users/A-z.0_9~"),
        (json!("?#&+="), "/v1.0/shapes/users/%3F%23%26%2B%3D"),
        (json!(true), "/v1.0/shapes/users/true"),
    ];
    for (user_id, path) in cases {
        let fake = Fake::start().await;
        fake.on(path, |_| Reply::json(json!({"name": "周"})));
        let request = UserGet {
            user_id: user_id.clone(),
            lang: "zh_CN",
        };
        let answer = fake.client().execute(request).await.unwrap();
        assert_eq!(answer, json!({"name": "周"}), "{user_id}");
        let req = only(&fake);
        assert_eq!(req.method, "GET");
        assert_eq!(req.path, path, "{user_id}");
        // The path parameter goes nowhere else.
        assert_eq!(req.raw_query, "lang=zh_CN");
        assert!(req.body.is_empty());
    }
}

#[tokio::test]
async fn two_path_parameters_fill_their_own_places_in_a_patch() {
    let fake = Fake::start().await;
    for path in [
        "/topapi/shapes/depts/7/members/u%201",
        "/topapi/shapes/depts/-8/members/%E6%9D%8E",
    ] {
        fake.on(path, |_| Reply::ok());
    }
    let client = fake.client();
    for (dept_id, user_id) in [(7, "u 1"), (-8, "李")] {
        let request = MemberPatch {
            title: "组长",
            user_id,
            dept_id,
        };
        client.execute(request).await.unwrap();
    }
    let requests = fake.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    // The URL of one request is never reused for the next.
    assert_eq!(
        paths,
        [
            "/topapi/shapes/depts/7/members/u%201",
            "/topapi/shapes/depts/-8/members/%E6%9D%8E"
        ]
    );
    for req in &requests {
        assert_eq!(req.method, "PATCH");
        assert_eq!(req.raw_query, format!("access_token={}", issued_token(1)));
        assert_eq!(req.header("content-type"), Some("application/json"));
        assert_eq!(&req.body[..], r#"{"title":"组长"}"#.as_bytes());
    }
}

#[tokio::test]
async fn a_missing_empty_or_unfit_path_parameter_is_not_sent() {
    let fake = Fake::start().await;
    let client = fake.client();
    for (user_id, problem) in [
        (Value::Null, "is not set"),
        (json!(""), "is empty"),
        (json!(["a"]), "is a list or an object"),
        (json!({"a": 1}), "is a list or an object"),
        (json!(".."), "cannot fill `{userId}`"),
    ] {
        let request = UserGet {
            user_id: user_id.clone(),
            lang: "zh_CN",
        };
        let error = client.execute(request).await.unwrap_err();
        let Error::Validation(v) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(v.field, "userId", "{user_id}");
        assert!(v.problem.contains(problem), "{user_id}: {error}");
        assert!(!error.is_retryable());
    }
    let error = client.execute(Orphan { orphan_id: "x" }).await.unwrap_err();
    let Error::Validation(v) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(v.field, "orphanId");
    assert!(v.problem.contains("not a path parameter"), "{error}");
    assert!(fake.requests().is_empty());
    assert_eq!(fake.token_requests(), 0);
}

#[tokio::test]
async fn a_whole_body_parameter_is_the_body() {
    let fake = Fake::start().await;
    fake.on("/v1.0/shapes/batch", |_| Reply::json(json!({})));
    let client = fake.client();
    let items = json!([{"a": 1}, {"b": "周"}, 3]);
    client
        .execute(Batch {
            items: Some(items),
            stray: None,
        })
        .await
        .unwrap();
    let req = only(&fake);
    assert_eq!(req.method, "POST");
    assert_eq!(req.raw_query, "");
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(&req.body[..], r#"[{"a":1},{"b":"周"},3]"#.as_bytes());

    // Unset: no body at all.
    let fake = Fake::start().await;
    fake.on("/v1.0/shapes/batch", |_| Reply::json(json!({})));
    let client = fake.client();
    client
        .execute(Batch {
            items: None,
            stray: None,
        })
        .await
        .unwrap();
    let req = only(&fake);
    assert!(req.body.is_empty());
    assert_eq!(req.header("content-type"), None);

    // Another body key beside it would be lost: refused.
    let error = client
        .execute(Batch {
            items: Some(json!([1])),
            stray: Some(1),
        })
        .await
        .unwrap_err();
    let Error::Validation(v) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(v.field, "stray");
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn json_encoded_parameters_are_sent_as_json_text() {
    let fake = Fake::start().await;
    fake.on("/v1.0/shapes/encoded", |_| Reply::json(json!({})));
    let request = Encoded {
        filter: json!({"a": 1, "b": "周 x"}),
        ids: vec!["u1", "u2"],
        meta: json!({"k": [true]}),
        extension: json!({"k": "v", "n": [1, 2]}),
        plain: json!({"k": "v"}),
    };
    fake.client().execute(request).await.unwrap();
    let req = only(&fake);
    assert_eq!(
        req.raw_query,
        "filter=%7B%22a%22%3A1%2C%22b%22%3A%22%E5%91%A8+x%22%7D&ids=%5B%22u1%22%2C%22u2%22%5D"
    );
    assert_eq!(
        req.query,
        [
            ("filter".to_owned(), r#"{"a":1,"b":"周 x"}"#.to_owned()),
            ("ids".to_owned(), r#"["u1","u2"]"#.to_owned()),
        ]
    );
    assert_eq!(req.header("x-acs-meta"), Some(r#"{"k":[true]}"#));
    assert_eq!(
        &req.body[..],
        br#"{"extension":"{\"k\":\"v\",\"n\":[1,2]}","plain":{"k":"v"}}"#
    );
}

#[tokio::test]
async fn repeat_encoded_lists_are_numbered_query_keys() {
    let fake = Fake::start().await;
    fake.on("/v1.0/shapes/repeated", |_| Reply::json(json!({})));
    let request = Repeated {
        user_ids: vec!["a", "b c"],
        items: json!([{"name": "x", "tags": ["p", "q"], "on": true}, {"name": "y", "n": 2}]),
        empty: Vec::new(),
    };
    fake.client().execute(request).await.unwrap();
    let req = only(&fake);
    assert_eq!(
        req.raw_query,
        "userIds.1=a&userIds.2=b+c\
         &items.1.name=x&items.1.tags.1=p&items.1.tags.2=q&items.1.on=true\
         &items.2.name=y&items.2.n=2"
    );
    assert!(req.body.is_empty());
}

#[tokio::test]
async fn a_get_sends_its_declared_body_parameters_as_json() {
    let fake = Fake::start().await;
    fake.on("/v1.0/shapes/search", |_| Reply::json(json!({})));
    let client = fake.client();
    client
        .execute(Search {
            size: 10,
            filter: Some(json!({"dept": [1, 2]})),
            extra: 1,
        })
        .await
        .unwrap();
    let req = only(&fake);
    assert_eq!(req.method, "GET");
    // A key the table does not name still goes to a GET's query string.
    assert_eq!(req.raw_query, "size=10&extra=1");
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(&req.body[..], br#"{"filter":{"dept":[1,2]}}"#);

    // Unset: a GET without a body, as before.
    let fake = Fake::start().await;
    fake.on("/v1.0/shapes/search", |_| Reply::json(json!({})));
    fake.client()
        .execute(Search {
            size: 10,
            filter: None,
            extra: 1,
        })
        .await
        .unwrap();
    let req = only(&fake);
    assert!(req.body.is_empty());
    assert_eq!(req.header("content-type"), None);
}

#[tokio::test]
async fn an_operation_returning_nothing_ignores_the_body_of_a_success() {
    let fake = Fake::start().await;
    fake.script(
        "/v1.0/shapes/nothing",
        [
            Reply::raw(200, "application/json", ""),
            Reply::json(json!({"a": 1})),
            Reply::raw(200, "text/plain", "ok"),
            Reply::json(
                json!({"code": "Forbidden.AccessDenied", "message": "no", "requestid": "r9"}),
            )
            .status(403),
        ],
    );
    let client = fake.client();
    for _ in 0..3 {
        let () = client.execute(Nothing { n: 1 }).await.unwrap();
    }
    let error = client.execute(Nothing { n: 1 }).await.unwrap_err();
    assert!(
        matches!(error, Error::Http { status: 403, .. }),
        "{error:?}"
    );
    assert_eq!(error.request_id(), Some("r9"));
    let requests = fake.requests();
    assert_eq!(requests.len(), 4);
    assert!(requests.iter().all(|r| &r.body[..] == br#"{"n":1}"#));

    // The errcode envelope is still checked.
    fake.script(
        "/topapi/shapes/nothing",
        [Reply::ok(), Reply::errcode(60011, "no permission")],
    );
    let () = client.execute(OapiNothing { n: 2 }).await.unwrap();
    let error = client.execute(OapiNothing { n: 2 }).await.unwrap_err();
    assert_eq!(error.errcode(), Some(60011));
}

#[tokio::test]
async fn bare_boolean_array_and_untyped_answers_decode() {
    let fake = Fake::start().await;
    fake.on("/v1.0/shapes/flag", |_| {
        Reply::raw(200, "application/json", "true")
    });
    fake.on("/v1.0/shapes/list", |_| {
        Reply::json(json!([{"id": 1}, {"id": 2, "more": "x"}]))
    });
    fake.script(
        "/v1.0/shapes/untyped",
        [
            Reply::json(json!([1, {"a": null}])),
            Reply::raw(200, "application/json", r#""text""#),
            Reply::raw(200, "application/json", "12.5"),
        ],
    );
    let client = fake.client();
    assert!(client.execute(Flag { n: 1 }).await.unwrap());
    assert_eq!(
        client.execute(List { n: 1 }).await.unwrap(),
        [Item { id: 1 }, Item { id: 2 }]
    );
    assert_eq!(
        client.execute(Untyped { n: 1 }).await.unwrap(),
        json!([1, {"a": null}])
    );
    assert_eq!(
        client.execute(Untyped { n: 1 }).await.unwrap(),
        json!("text")
    );
    assert_eq!(client.execute(Untyped { n: 1 }).await.unwrap(), json!(12.5));
    // A boolean operation that answers something else is a decode error, not a guess.
    fake.on("/v1.0/shapes/flag", |_| {
        Reply::json(json!({"result": true}))
    });
    let error = client.execute(Flag { n: 1 }).await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
}

/// Records the redacted URL of every attempt.
#[derive(Debug, Default)]
struct Urls(Arc<Mutex<Vec<String>>>);

impl Interceptor for Urls {
    fn on_request(&self, _: &AttemptInfo, request: &mut reqwest::Request) -> Result<(), BoxError> {
        self.0.lock().unwrap().push(redacted_url(request.url()));
        Ok(())
    }
}

#[tokio::test]
async fn interceptors_see_the_filled_path_and_no_token() {
    let fake = Fake::start().await;
    fake.on("/topapi/shapes/depts/7/members/u%201", |_| Reply::ok());
    let urls = Urls::default();
    let seen = urls.0.clone();
    let client = fake.builder().interceptor(urls).build().unwrap();
    client
        .execute(MemberPatch {
            title: "t",
            user_id: "u 1",
            dept_id: 7,
        })
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    let shown = seen.last().unwrap();
    assert_eq!(
        shown,
        &format!(
            "{}/topapi/shapes/depts/7/members/u%201?access_token=***",
            fake.url()
        )
    );
    assert!(!seen.join(" ").contains(&issued_token(1)), "{seen:?}");
}
