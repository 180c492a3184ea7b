//! The offline DingTalk fake (`mock` feature), driven over real HTTP on 127.0.0.1.
//!
//! The runtime has no generated operations, so the operations here are written by hand: a few
//! typed ones (token, listids, dismissions) whose serde shapes and `validate()` mirror the
//! generated code, and "loose" ones (any JSON object) for the stateful and paginated areas,
//! whose behaviour the fake keys by operation id. Run with `cargo test -p dingtalk-runtime
//! --features mock --test mock`.

use std::time::{Duration, Instant};

use dingtalk_openapi_fake::{Fault, MockOperation, MockServer, RejectionKind, TokenRejection};
use dingtalk_openapi_runtime::operation::{
    Auth, Envelope, Host, Method, Operation, OperationInfo, Pagination, PaginationStyle,
};
use dingtalk_openapi_runtime::validate::{self, FieldPath, ValidationError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------------------------
// Hand-written operations

/// `GET /gettoken`, typed like the generated one (one of two credential pairs).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GetToken {
    #[serde(skip_serializing_if = "Option::is_none")]
    appkey: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    appsecret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    corpid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    corpsecret: Option<String>,
}

impl Operation for GetToken {
    type Response = Value;
    const INFO: &'static OperationInfo = &{
        let mut info = OperationInfo::new("gettoken", Method::Get, Host::Oapi, "/gettoken")
            .with_auth(Auth::None);
        info.example_request = r#"{"appkey":"dingexample","appsecret":"example-secret"}"#;
        info
    };

    fn validate(&self) -> Result<(), ValidationError> {
        let root = FieldPath::root(Self::INFO.id);
        validate::one_of_groups(
            &root,
            &[
                &[
                    ("appkey", self.appkey.is_some()),
                    ("appsecret", self.appsecret.is_some()),
                ],
                &[
                    ("corpid", self.corpid.is_some()),
                    ("corpsecret", self.corpsecret.is_some()),
                ],
            ],
        )
    }
}

/// `POST /topapi/blackboard/listids`, typed: a nested wrapper with required fields and limits.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListIds {
    query_request: QueryVo,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct QueryVo {
    operation_userid: String,
    page: i64,
    page_size: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_time: Option<String>,
}

impl Operation for ListIds {
    type Response = Value;
    const INFO: &'static OperationInfo = &{
        let mut info = OperationInfo::new(
            "blackboard.listids",
            Method::Post,
            Host::Oapi,
            "/topapi/blackboard/listids",
        );
        info.pagination = Some(Pagination::new(
            PaginationStyle::PageNumber,
            "query_request.page",
            "query_request.page_size",
            None,
            None,
            "result",
        ));
        info
    };

    fn validate(&self) -> Result<(), ValidationError> {
        let root = FieldPath::root(Self::INFO.id);
        let q = root.field("query_request");
        validate::range(&q.field("page"), self.query_request.page, Some(1), None)?;
        validate::range(
            &q.field("page_size"),
            self.query_request.page_size,
            Some(1),
            Some(30),
        )
    }
}

/// `GET /v1.0/hrm/employees/dismissions`, typed: integer query parameters, a limit, next tokens.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Dismissions {
    #[serde(rename = "nextToken", skip_serializing_if = "Option::is_none")]
    next_token: Option<i64>,
    #[serde(rename = "maxResults", skip_serializing_if = "Option::is_none")]
    max_results: Option<i32>,
}

impl Operation for Dismissions {
    type Response = Value;
    const INFO: &'static OperationInfo = &{
        let mut info = OperationInfo::new(
            "hrm.employees.dismissions",
            Method::Get,
            Host::Api,
            "/v1.0/hrm/employees/dismissions",
        )
        .with_auth(Auth::HeaderToken)
        .with_envelope(Envelope::Bare);
        info.pagination = Some(Pagination::new(
            PaginationStyle::NextToken,
            "nextToken",
            "maxResults",
            Some("nextToken"),
            Some("hasMore"),
            "userIdList",
        ));
        info
    };

    fn validate(&self) -> Result<(), ValidationError> {
        let root = FieldPath::root(Self::INFO.id);
        match self.max_results {
            Some(m) => validate::range(&root.field("maxResults"), m, None, Some(50)),
            None => Ok(()),
        }
    }
}

/// An operation whose request is any JSON object: for the areas the fake keys by id.
macro_rules! loose {
    ($name:ident, $id:literal, $path:literal, $auth:ident, $host:ident, $pagination:expr, $example:literal) => {
        #[derive(Debug, Clone, Serialize, Deserialize)]
        #[serde(transparent)]
        struct $name(Map<String, Value>);

        impl Operation for $name {
            type Response = Value;
            const INFO: &'static OperationInfo = &{
                let mut info = OperationInfo::new($id, Method::Post, Host::$host, $path)
                    .with_auth(Auth::$auth);
                info.pagination = $pagination;
                info.example_response = $example;
                info
            };
        }
    };
}

loose!(
    BbCreate,
    "blackboard.create",
    "/topapi/blackboard/create",
    QueryToken,
    Oapi,
    None,
    r#"{"result":true,"success":true,"errcode":0}"#
);
loose!(
    BbUpdate,
    "blackboard.update",
    "/topapi/blackboard/update",
    QueryToken,
    Oapi,
    None,
    r#"{"result":true,"success":true}"#
);
loose!(
    BbDelete,
    "blackboard.delete",
    "/topapi/blackboard/delete",
    QueryToken,
    Oapi,
    None,
    r#"{"result":true}"#
);
loose!(
    BbGet,
    "blackboard.get",
    "/topapi/blackboard/get",
    QueryToken,
    Oapi,
    None,
    r#"{"result":{"id":"x","title":"t","read_count":10,"author":"a"},"success":true}"#
);
loose!(
    BbTop,
    "blackboard.listtopten",
    "/topapi/blackboard/listtopten",
    QueryToken,
    Oapi,
    None,
    r#"{"blackboard_list":[{"gmt_create":"2020-09-08 14:42:12","title":"t","url":"https://app.dingtalk.com/x","categoryId":"c","id":"i"}]}"#
);
loose!(
    BbCategories,
    "blackboard.category.list",
    "/topapi/blackboard/category/list",
    QueryToken,
    Oapi,
    None,
    r#"{"result":[{"id":"89uuhygybj","name":"日签"}]}"#
);
loose!(
    ReportCreate,
    "report.create",
    "/topapi/report/create",
    QueryToken,
    Oapi,
    None,
    r#"{"result":"175abec4de6bd"}"#
);
loose!(
    ReportList,
    "report.list",
    "/topapi/report/list",
    QueryToken,
    Oapi,
    Some(Pagination::usual(PaginationStyle::CursorHasMore)),
    r#"{"result":{"data_list":[{"report_id":"r","creator_id":"user123","create_time":1,"contents":[]}],"size":10,"next_cursor":1,"has_more":false}}"#
);
loose!(
    Checkin,
    "checkin.record.get",
    "/topapi/checkin/record/get",
    QueryToken,
    Oapi,
    Some(Pagination::usual(PaginationStyle::NullableCursor)),
    r#"{"result":{"next_cursor":100,"page_list":[{"userid":"080517","place":"p"}]}}"#
);
loose!(
    Preentry,
    "smartwork.hrm.employee.querypreentry",
    "/topapi/smartwork/hrm/employee/querypreentry",
    QueryToken,
    Oapi,
    Some(Pagination::usual(PaginationStyle::OffsetNextCursor)),
    r#"{"result":{"next_cursor":10,"data_list":["11","22"]},"success":false}"#
);
loose!(
    RobotSend,
    "robot.send",
    "/robot/send",
    Robot,
    Robot,
    None,
    r#"{"errcode":0,"errmsg":"ok"}"#
);

fn operations() -> Vec<MockOperation> {
    vec![
        MockOperation::of::<GetToken>(),
        MockOperation::of::<ListIds>(),
        MockOperation::of::<Dismissions>(),
        MockOperation::of::<BbCreate>(),
        MockOperation::of::<BbUpdate>(),
        MockOperation::of::<BbDelete>(),
        MockOperation::of::<BbGet>(),
        MockOperation::of::<BbTop>(),
        MockOperation::of::<BbCategories>(),
        MockOperation::of::<ReportCreate>(),
        MockOperation::of::<ReportList>(),
        MockOperation::of::<Checkin>(),
        MockOperation::of::<Preentry>(),
        MockOperation::of::<RobotSend>(),
    ]
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP

/// A plain-HTTP reqwest client (no TLS roots needed).
fn http() -> reqwest::Client {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("tls versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("http client")
}

/// An answer: status, the `x-acs-request-id` header, the content type and the body.
#[derive(Debug)]
struct Answer {
    status: u16,
    request_id: Option<String>,
    content_type: String,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    fn errcode(&self) -> i64 {
        self.json()["errcode"]
            .as_i64()
            .unwrap_or_else(|| panic!("no errcode: {}", self.text))
    }
}

struct Fake {
    server: MockServer,
    http: reqwest::Client,
}

impl Fake {
    async fn start(seed: bool) -> Fake {
        let server = MockServer::builder(operations())
            .seed(seed)
            .start()
            .await
            .expect("start the fake");
        Fake {
            server,
            http: http(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    /// The URL of `path` with a query string (reqwest's own `query` needs a feature we lack).
    fn at<K: AsRef<str>, V: AsRef<str>>(&self, path: &str, query: &[(K, V)]) -> reqwest::Url {
        let pairs = query.iter().map(|(k, v)| (k.as_ref(), v.as_ref()));
        reqwest::Url::parse_with_params(&self.url(path), pairs).expect("url")
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("send");
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let request_id = header("x-acs-request-id");
        let content_type = header("content-type").unwrap_or_default();
        let text = response.text().await.expect("body");
        Answer {
            status,
            request_id,
            content_type,
            text,
        }
    }

    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Answer {
        self.send(self.http.get(self.at(path, query))).await
    }

    /// `GET /gettoken` with the fake's app credentials.
    async fn token(&self) -> String {
        let answer = self
            .get(
                "/gettoken",
                &[
                    ("appkey", self.server.app_key()),
                    ("appsecret", self.server.app_secret()),
                ],
            )
            .await;
        answer.json()["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// An oapi POST with `?access_token=`.
    async fn oapi(&self, path: &str, token: &str, body: Value) -> Answer {
        self.send(
            self.http
                .post(self.at(path, &[("access_token", token)]))
                .json(&body),
        )
        .await
    }

    /// A v1.0 GET with the token header.
    async fn api_get(&self, path: &str, token: &str, query: &[(&str, &str)]) -> Answer {
        self.send(
            self.http
                .get(self.at(path, query))
                .header("x-acs-dingtalk-access-token", token),
        )
        .await
    }

    /// A robot message, signed now with the fake's secret.
    async fn robot(&self, token: &str, body: &Value) -> Answer {
        let timestamp = dingtalk_openapi_runtime::primitives::EpochMillis::now().as_millis();
        let secret = self.server.robot_secret().unwrap_or_default();
        let sign = dingtalk_openapi_runtime::robot::sign(secret, timestamp);
        let query = [
            ("access_token", token.to_owned()),
            ("timestamp", timestamp.to_string()),
            ("sign", sign),
        ];
        self.send(self.http.post(self.at("/robot/send", &query)).json(body))
            .await
    }
}

fn listids(page: i64, page_size: i64) -> Value {
    json!({"query_request": {"operation_userid": "manager01", "page": page, "page_size": page_size}})
}

// ---------------------------------------------------------------------------------------------
// Tokens and credentials

#[tokio::test]
async fn tokens_are_issued_both_ways_and_reused_while_valid() {
    let fake = Fake::start(true).await;
    let key = fake.server.app_key().to_owned();
    let secret = fake.server.app_secret().to_owned();

    let first = fake
        .get("/gettoken", &[("appkey", &key), ("appsecret", &secret)])
        .await;
    let body = first.json();
    assert_eq!(
        (body["errcode"].as_i64(), body["errmsg"].as_str()),
        (Some(0), Some("ok")),
        "{body}"
    );
    assert_eq!(body["expires_in"], 7200);
    let token = body["access_token"].as_str().unwrap_or_default().to_owned();
    assert!(!token.is_empty());
    assert_eq!(
        fake.token().await,
        token,
        "asking again while valid returns the same token"
    );

    let v1 = fake
        .send(
            fake.http
                .post(fake.url("/v1.0/oauth2/accessToken"))
                .json(&json!({"appKey": key, "appSecret": secret})),
        )
        .await;
    assert_eq!(v1.status, 200, "{}", v1.text);
    assert_eq!(
        v1.json()["accessToken"],
        token.as_str(),
        "one token serves both hosts"
    );
    assert_eq!(v1.json()["expireIn"], 7200);

    let bad = fake
        .get("/gettoken", &[("appkey", &key), ("appsecret", "wrong")])
        .await;
    assert_eq!(bad.errcode(), 40096, "{}", bad.text);
    let bad = fake
        .send(
            fake.http
                .post(fake.url("/v1.0/oauth2/accessToken"))
                .json(&json!({"appKey": key, "appSecret": "x"})),
        )
        .await;
    assert_eq!(
        (bad.status, bad.json()["code"].as_str()),
        (400, Some("invalidClientIdOrSecret")),
        "{}",
        bad.text
    );
    assert!(bad.json()["requestid"].is_string());

    let corp = fake
        .get(
            "/gettoken",
            &[
                ("corpid", "mock-corp-id"),
                ("corpsecret", "mock-corp-secret"),
            ],
        )
        .await;
    assert_eq!(corp.errcode(), 0, "{}", corp.text);
    let corp = fake
        .get(
            "/gettoken",
            &[("corpid", "mock-corp-id"), ("corpsecret", "nope")],
        )
        .await;
    assert_eq!(corp.errcode(), 40089, "{}", corp.text);
    let sso = fake
        .get(
            "/sso/gettoken",
            &[
                ("corpid", "mock-corp-id"),
                ("corpsecret", "mock-sso-secret"),
            ],
        )
        .await;
    assert!(sso.json()["access_token"].is_string(), "{}", sso.text);

    // Seeded: the documented example credentials work too.
    let example = fake
        .get(
            "/gettoken",
            &[("appkey", "dingexample"), ("appsecret", "example-secret")],
        )
        .await;
    assert_eq!(example.errcode(), 0, "{}", example.text);

    // The typed check runs on token requests too: nothing at all, or an unknown parameter.
    let none = fake.get("/gettoken", &[]).await;
    assert_eq!(none.errcode(), 40035, "{}", none.text);
    assert!(
        none.json()["errmsg"]
            .as_str()
            .unwrap_or_default()
            .starts_with("缺少参数"),
        "{}",
        none.text
    );
    let unknown = fake
        .get(
            "/gettoken",
            &[("appkey", &key), ("appsecret", &secret), ("x", "1")],
        )
        .await;
    assert_eq!(unknown.errcode(), 40035, "{}", unknown.text);

    assert_eq!(fake.server.faults().token_requests(), 11);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn credentials_are_checked_where_each_host_reads_them() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let path = "/topapi/blackboard/listids";

    // oapi: the query string only.
    let ok = fake.oapi(path, &token, listids(1, 10)).await;
    assert_eq!(ok.errcode(), 0, "{}", ok.text);
    assert!(ok.json()["request_id"].is_string());
    let missing = fake
        .send(fake.http.post(fake.url(path)).json(&listids(1, 10)))
        .await;
    assert_eq!(
        (missing.errcode(), missing.json()["sub_code"].as_str()),
        (88, Some("40000")),
        "{}",
        missing.text
    );
    let misplaced = fake
        .send(
            fake.http
                .post(fake.url(path))
                .header("x-acs-dingtalk-access-token", &token)
                .json(&listids(1, 10)),
        )
        .await;
    assert_eq!(
        misplaced.json()["sub_code"],
        "40000",
        "a header token does not count on oapi: {}",
        misplaced.text
    );
    let invalid = fake.oapi(path, "not-a-token", listids(1, 10)).await;
    assert_eq!(
        (invalid.errcode(), invalid.json()["sub_code"].as_str()),
        (88, Some("40014")),
        "{}",
        invalid.text
    );

    // v1.0: the header only.
    let path = "/v1.0/hrm/employees/dismissions";
    let ok = fake.api_get(path, &token, &[]).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert!(ok.request_id.is_some());
    let missing = fake.get(path, &[]).await;
    assert_eq!(
        (missing.status, missing.json()["code"].as_str()),
        (400, Some("AuthenticationFailed.MissingParameter"))
    );
    let misplaced = fake.get(path, &[("access_token", &token)]).await;
    assert_eq!(
        misplaced.json()["code"],
        "AuthenticationFailed.MissingParameter",
        "a query token does not count on v1.0"
    );
    let invalid = fake.api_get(path, "not-a-token", &[]).await;
    assert_eq!(
        (invalid.status, invalid.json()["code"].as_str()),
        (400, Some("InvalidAuthentication"))
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn expired_tokens_are_refused_until_a_new_one_is_fetched() {
    let fake = Fake::start(true).await;
    let old = fake.token().await;
    fake.server.faults().expire_tokens();
    let refused = fake
        .oapi("/topapi/blackboard/listids", &old, listids(1, 3))
        .await;
    assert_eq!(
        (refused.errcode(), refused.json()["sub_code"].as_str()),
        (88, Some("40014")),
        "{}",
        refused.text
    );
    let v1 = fake
        .api_get("/v1.0/hrm/employees/dismissions", &old, &[])
        .await;
    assert_eq!(v1.json()["code"], "InvalidAuthentication");

    let new = fake.token().await;
    assert_ne!(new, old);
    assert_eq!(
        fake.oapi("/topapi/blackboard/listids", &new, listids(1, 3))
            .await
            .errcode(),
        0
    );

    fake.server
        .faults()
        .expire_tokens_with(TokenRejection::Expired);
    let refused = fake
        .oapi("/topapi/blackboard/listids", &new, listids(1, 3))
        .await;
    assert_eq!(refused.errcode(), 42001, "{}", refused.text);

    // A time-to-live of zero: every token is born expired.
    let short = MockServer::builder(operations())
        .token_ttl(Duration::ZERO)
        .start()
        .await
        .expect("start");
    let raw = Fake {
        server: short,
        http: http(),
    };
    let token = raw.token().await;
    assert_eq!(
        raw.oapi("/topapi/blackboard/listids", &token, listids(1, 3))
            .await
            .json()["sub_code"],
        "40014"
    );
    raw.server.shutdown().await;
    fake.server.shutdown().await;
}

#[tokio::test]
async fn the_typed_client_refetches_an_expired_token() {
    let fake = Fake::start(true).await;
    let client = dingtalk_openapi_runtime::Client::builder()
        .app_credentials(fake.server.app_key(), fake.server.app_secret())
        .oapi_base_url(fake.server.base_url())
        .api_base_url(fake.server.base_url())
        .no_rate_limit()
        .build()
        .expect("client");
    let request: ListIds = serde_json::from_value(listids(1, 3)).expect("request");
    let first = client.execute(request.clone()).await.expect("first call");
    assert_eq!(first["result"].as_array().map(Vec::len), Some(3));
    fake.server.faults().expire_tokens();
    client
        .execute(request)
        .await
        .expect("the client fetches a new token and calls again");
    assert_eq!(fake.server.faults().token_requests(), 2);
    assert_eq!(fake.server.faults().calls("blackboard.listids"), 3);
    fake.server.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// The typed check

#[tokio::test]
async fn requests_are_checked_against_the_typed_request() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let path = "/topapi/blackboard/listids";
    let errmsg = |a: &Answer| a.json()["errmsg"].as_str().unwrap_or_default().to_owned();

    let missing = fake
        .oapi(
            path,
            &token,
            json!({"query_request": {"operation_userid": "m", "page_size": 3}}),
        )
        .await;
    assert_eq!(missing.errcode(), 40035);
    assert_eq!(errmsg(&missing), "缺少参数 query_request.page");

    let wrong_type = fake
        .oapi(
            path,
            &token,
            json!({"query_request": {"operation_userid": "m", "page": "one", "page_size": 3}}),
        )
        .await;
    assert_eq!(wrong_type.errcode(), 40035);
    assert!(
        errmsg(&wrong_type).starts_with("不合法的参数 query_request.page:"),
        "{}",
        wrong_type.text
    );

    let unknown = fake
        .oapi(
            path,
            &token,
            json!({"query_request": {"operation_userid": "m", "page": 1, "page_size": 3, "x": 1}}),
        )
        .await;
    assert!(
        errmsg(&unknown).contains("query_request.x"),
        "{}",
        unknown.text
    );

    let limit = fake.oapi(path, &token, listids(1, 31)).await;
    assert_eq!(limit.errcode(), 40035);
    assert!(
        errmsg(&limit).contains("query_request.page_size")
            && errmsg(&limit).contains("maximum of 30"),
        "{}",
        limit.text
    );

    let not_json = fake
        .send(
            fake.http
                .post(fake.at(path, &[("access_token", &token)]))
                .header("content-type", "text/plain")
                .body("{}"),
        )
        .await;
    assert_eq!(not_json.errcode(), 43004, "{}", not_json.text);
    let broken = fake
        .send(
            fake.http
                .post(fake.at(path, &[("access_token", &token)]))
                .header("content-type", "application/json")
                .body("{"),
        )
        .await;
    assert_eq!(broken.errcode(), 40035, "{}", broken.text);
    let wrong_method = fake.get(path, &[("access_token", &token)]).await;
    assert_eq!(wrong_method.errcode(), 43002, "{}", wrong_method.text);

    // v1.0: query values are text, read as numbers where the typed request wants them.
    let dismissions = "/v1.0/hrm/employees/dismissions";
    let ok = fake
        .api_get(
            dismissions,
            &token,
            &[("nextToken", "2"), ("maxResults", "3")],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json()["userIdList"].as_array().map(Vec::len), Some(3));
    let limit = fake
        .api_get(dismissions, &token, &[("maxResults", "51")])
        .await;
    assert_eq!(
        (limit.status, limit.json()["code"].as_str()),
        (400, Some("InvalidParameter")),
        "{}",
        limit.text
    );
    assert!(
        limit.json()["message"]
            .as_str()
            .unwrap_or_default()
            .contains("maxResults")
    );
    let wrong_type = fake
        .api_get(dismissions, &token, &[("maxResults", "many")])
        .await;
    assert_eq!(
        wrong_type.json()["code"],
        "InvalidParameter",
        "{}",
        wrong_type.text
    );
    let form = fake
        .send(
            fake.http
                .post(fake.url("/v1.0/oauth2/accessToken"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("appKey=a"),
        )
        .await;
    assert_eq!(form.status, 415, "{}", form.text);
    let unknown_path = fake.oapi("/topapi/nothing/here", &token, json!({})).await;
    assert_eq!(unknown_path.status, 404);

    // The check itself, without HTTP.
    let op = MockOperation::of::<ListIds>();
    let rejection = op.check(&json!({})).expect_err("empty request");
    assert_eq!(
        (rejection.kind, rejection.field.as_str()),
        (RejectionKind::Missing, "query_request")
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn topapi_operations_also_take_forms_as_dingtalk_curl_examples_send_them() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let form = |path: &str, query: &[(&str, &str)], fields: &[(&str, &str)]| {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        fake.http
            .post(fake.at(path, query))
            .header(
                "content-type",
                "application/x-www-form-urlencoded;charset=utf-8",
            )
            .body(body)
    };
    let no_query: &[(&str, &str)] = &[];

    // The token as a form field and the numbers as text, as DingTalk's curl examples send them:
    // the same answer as the JSON request.
    let preentry = "/topapi/smartwork/hrm/employee/querypreentry";
    let as_json = fake
        .oapi(preentry, &token, json!({"offset": 0, "size": 2}))
        .await;
    let as_form = fake
        .send(form(
            preentry,
            no_query,
            &[("access_token", &token), ("offset", "0"), ("size", "2")],
        ))
        .await;
    assert_eq!(as_form.errcode(), 0, "{}", as_form.text);
    assert_eq!(as_form.json()["result"], as_json.json()["result"]);
    assert_eq!(
        as_form.json()["result"]["data_list"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    // The token in the query, a nested object as JSON text (how the older Java SDK sends one).
    let listids_path = "/topapi/blackboard/listids";
    let nested = listids(1, 3)["query_request"].to_string();
    let as_form = fake
        .send(form(
            listids_path,
            &[("access_token", &token)],
            &[("query_request", &nested)],
        ))
        .await;
    let as_json = fake.oapi(listids_path, &token, listids(1, 3)).await;
    assert_eq!(as_form.errcode(), 0, "{}", as_form.text);
    assert_eq!(as_form.json()["result"], as_json.json()["result"]);

    // The same checks as for JSON (listids is typed): limits, types, unknown fields, the token.
    let errmsg = |a: &Answer| a.json()["errmsg"].as_str().unwrap_or_default().to_owned();
    let rejected = |answer: &Answer, field: &str| {
        assert_eq!(answer.errcode(), 40035, "{}", answer.text);
        assert!(errmsg(answer).contains(field), "{field}: {}", answer.text);
    };
    let over = listids(1, 31)["query_request"].to_string();
    let over = fake
        .send(form(
            listids_path,
            &[("access_token", &token)],
            &[("query_request", &over)],
        ))
        .await;
    rejected(&over, "query_request.page_size");
    let not_an_object = fake
        .send(form(
            listids_path,
            &[("access_token", &token)],
            &[("query_request", "5")],
        ))
        .await;
    rejected(&not_an_object, "query_request");
    let broken_nested = fake
        .send(form(
            listids_path,
            &[("access_token", &token)],
            &[("query_request", "{\"page\": 1")],
        ))
        .await;
    rejected(&broken_nested, "query_request");
    let unknown = fake
        .send(form(
            listids_path,
            &[("access_token", &token)],
            &[("query_request", &nested), ("x", "1")],
        ))
        .await;
    rejected(&unknown, "x");
    let no_token = fake
        .send(form(preentry, no_query, &[("offset", "0"), ("size", "2")]))
        .await;
    assert_eq!(
        (no_token.errcode(), no_token.json()["sub_code"].as_str()),
        (88, Some("40000")),
        "{}",
        no_token.text
    );
    let bad_token = fake
        .send(form(
            preentry,
            no_query,
            &[("access_token", "nope"), ("offset", "0"), ("size", "2")],
        ))
        .await;
    assert_eq!(bad_token.json()["sub_code"], "40014", "{}", bad_token.text);

    // Only topapi operations: the robot webhook wants JSON.
    let timestamp = dingtalk_openapi_runtime::primitives::EpochMillis::now().as_millis();
    let secret = fake.server.robot_secret().unwrap_or_default();
    let robot_query = [
        ("access_token", fake.server.robot_token().to_owned()),
        ("timestamp", timestamp.to_string()),
        (
            "sign",
            dingtalk_openapi_runtime::robot::sign(secret, timestamp),
        ),
    ];
    let robot_query: Vec<(&str, &str)> =
        robot_query.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let robot = fake
        .send(form("/robot/send", &robot_query, &[("msgtype", "text")]))
        .await;
    assert_eq!(robot.errcode(), 43004, "{}", robot.text);
    fake.server.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Faults

#[tokio::test]
async fn every_fault_kind_is_applied_once() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let faults = fake.server.faults();
    let path = "/topapi/blackboard/listids";
    let call = || fake.oapi(path, &token, listids(1, 3));

    faults.push(Fault::errcode(-1));
    assert_eq!(faults.pending(), 1);
    // An un-targeted fault skips the token endpoints.
    assert_eq!(
        fake.get(
            "/gettoken",
            &[
                ("appkey", fake.server.app_key()),
                ("appsecret", fake.server.app_secret())
            ]
        )
        .await
        .errcode(),
        0
    );
    assert_eq!(call().await.errcode(), -1);
    assert_eq!(call().await.errcode(), 0, "faults are one-shot");

    faults.push_for(
        "blackboard.listids",
        Fault::errcode_with_sub_code(15, "isp.-1"),
    );
    let busy = call().await;
    assert_eq!(
        (busy.errcode(), busy.json()["sub_code"].as_str()),
        (15, Some("isp.-1"))
    );

    // Targeted faults wait for their operation.
    faults.push_for("hrm.employees.dismissions", Fault::errcode(90018));
    assert_eq!(call().await.errcode(), 0);
    let limited = fake
        .api_get("/v1.0/hrm/employees/dismissions", &token, &[])
        .await;
    assert_eq!(
        (limited.status, limited.json()["code"].as_str()),
        (403, Some("Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"))
    );

    faults.push(Fault::http(503, "systemError"));
    let unavailable = call().await;
    assert_eq!(
        (unavailable.status, unavailable.json()["code"].as_str()),
        (503, Some("systemError"))
    );

    faults.push(Fault::Delay(Duration::from_millis(300)));
    let started = Instant::now();
    assert_eq!(call().await.errcode(), 0);
    assert!(started.elapsed() >= Duration::from_millis(300));

    faults.push(Fault::Malformed);
    let malformed = call().await;
    assert!(
        serde_json::from_str::<Value>(&malformed.text).is_err(),
        "{}",
        malformed.text
    );

    faults.push(Fault::Html);
    let html = call().await;
    assert!(
        html.content_type.starts_with("text/html") && html.text.contains("<html>"),
        "{html:?}"
    );

    faults.push(Fault::Truncated);
    let response = fake
        .http
        .post(fake.at(path, &[("access_token", &token)]))
        .json(&listids(1, 3))
        .send()
        .await;
    let body = response.expect("headers arrive").bytes().await;
    assert!(body.is_err(), "the body is cut short: {body:?}");

    faults.push(Fault::Reset);
    let reset = fake
        .http
        .post(fake.at(path, &[("access_token", &token)]))
        .json(&listids(1, 3))
        .send()
        .await;
    assert!(reset.is_err(), "no answer: {reset:?}");

    faults.push_for("gettoken", Fault::errcode(-1));
    assert_eq!(
        fake.get("/gettoken", &[("appkey", "a"), ("appsecret", "b")])
            .await
            .errcode(),
        -1
    );

    assert_eq!(faults.pending(), 0);
    assert_eq!(faults.calls("blackboard.listids"), 10);
    assert_eq!(faults.calls("hrm.employees.dismissions"), 1);
    // And the server still works.
    assert_eq!(call().await.errcode(), 0);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn the_control_api_drives_the_fake_over_http() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let control = |path: &str, body: Value| fake.send(fake.http.post(fake.url(path)).json(&body));

    let pushed = control(
        "/__mock/faults",
        json!({"op": "blackboard.listids", "fault": {"errcode": 90018}, "times": 2}),
    )
    .await;
    assert_eq!(pushed.json()["pending"], 2, "{}", pushed.text);
    for _ in 0..2 {
        assert_eq!(
            fake.oapi("/topapi/blackboard/listids", &token, listids(1, 3))
                .await
                .errcode(),
            90018
        );
    }
    for fault in [
        json!("reset"),
        json!({"status": 500}),
        json!({"delay_ms": 1}),
    ] {
        assert_eq!(
            control("/__mock/faults", json!({"fault": fault}))
                .await
                .status,
            200
        );
    }
    let bad = control("/__mock/faults", json!({"fault": "explode"})).await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert_eq!(
        fake.send(fake.http.delete(fake.url("/__mock/faults")))
            .await
            .json()["pending"],
        0
    );

    assert_eq!(
        control("/__mock/expire-tokens", json!({"answer": "expired"}))
            .await
            .status,
        200
    );
    assert_eq!(
        fake.oapi("/topapi/blackboard/listids", &token, listids(1, 3))
            .await
            .errcode(),
        42001
    );

    let requests = fake.get("/__mock/requests", &[]).await.json();
    let paths: Vec<&str> = requests
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["path"].as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "/gettoken",
            "/topapi/blackboard/listids",
            "/topapi/blackboard/listids",
            "/topapi/blackboard/listids"
        ]
    );
    assert_eq!(requests[1]["body"]["query_request"]["page"], 1);
    let calls = fake.get("/__mock/calls", &[]).await.json();
    assert_eq!(
        (
            calls["token_requests"].as_u64(),
            calls["calls"]["blackboard.listids"].as_u64()
        ),
        (Some(1), Some(3))
    );
    assert!(
        fake.get("/__mock/operations", &[])
            .await
            .json()
            .as_array()
            .is_some_and(|a| a.len() == operations().len())
    );

    assert_eq!(control("/__mock/reset", json!({})).await.status, 200);
    assert!(fake.server.requests().is_empty());
    assert_eq!(fake.server.faults().token_requests(), 0);
    fake.server.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// The group robot

#[tokio::test]
async fn the_robot_checks_its_token_signature_size_and_rate() {
    let fake = Fake::start(true).await;
    let token = fake.server.robot_token().to_owned();
    let text = json!({"msgtype": "text", "text": {"content": "hello"}});

    let ok = fake.robot(&token, &text).await;
    assert_eq!(ok.errcode(), 0, "{}", ok.text);
    let recorded = fake.server.requests().pop().expect("recorded");
    assert_eq!(recorded.query_value("access_token"), Some(token.as_str()));
    assert_eq!(recorded.json(), Some(text.clone()));

    assert_eq!(fake.robot("wrong-token", &text).await.errcode(), 300005);
    let unsigned = fake
        .send(
            fake.http
                .post(fake.at("/robot/send", &[("access_token", &token)]))
                .json(&text),
        )
        .await;
    assert_eq!(unsigned.errcode(), 310000, "{}", unsigned.text);
    let stale = 1_700_000_000_000_i64;
    let secret = fake.server.robot_secret().unwrap_or_default();
    let query = [
        ("access_token", token.clone()),
        ("timestamp", stale.to_string()),
        ("sign", dingtalk_openapi_runtime::robot::sign(secret, stale)),
    ];
    let old = fake
        .send(fake.http.post(fake.at("/robot/send", &query)).json(&text))
        .await;
    assert_eq!(
        (old.errcode(), old.json()["errmsg"].as_str()),
        (310000, Some("invalid timestamp"))
    );
    let now = dingtalk_openapi_runtime::primitives::EpochMillis::now().as_millis();
    let query = [
        ("access_token", token.clone()),
        ("timestamp", now.to_string()),
        ("sign", "bad".to_owned()),
    ];
    let bad = fake
        .send(fake.http.post(fake.at("/robot/send", &query)).json(&text))
        .await;
    assert_eq!(
        (bad.errcode(), bad.json()["errmsg"].as_str()),
        (310000, Some("sign not match"))
    );

    let big = json!({"msgtype": "text", "text": {"content": "x".repeat(20_001)}});
    assert_eq!(fake.robot(&token, &big).await.errcode(), 460101);

    for i in 2..=20 {
        assert_eq!(fake.robot(&token, &text).await.errcode(), 0, "message {i}");
    }
    assert_eq!(
        fake.robot(&token, &text).await.errcode(),
        660026,
        "the 21st message in a minute"
    );

    let unsigned = MockServer::builder(operations())
        .unsigned_robot()
        .start()
        .await
        .expect("start");
    let raw = Fake {
        server: unsigned,
        http: http(),
    };
    let plain = raw
        .send(
            raw.http
                .post(raw.at("/robot/send", &[("access_token", "mock-robot-token")]))
                .json(&text),
        )
        .await;
    assert_eq!(plain.errcode(), 0, "{}", plain.text);
    raw.server.shutdown().await;
    fake.server.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// State

#[tokio::test]
async fn blackboards_are_created_read_updated_listed_and_deleted() {
    let fake = Fake::start(false).await;
    let token = fake.token().await;
    let ids = |answer: &Answer| -> Vec<String> {
        answer.json()["result"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    assert!(
        ids(&fake
            .oapi("/topapi/blackboard/listids", &token, listids(1, 30))
            .await)
        .is_empty()
    );

    let create = json!({"create_request": {
        "operation_userid": "manager01",
        "author": "杨xx",
        "blackboard_receiver": {"userid_list": ["manager02"]},
        "title": "入职须知",
        "content": "欢迎加入我们的大家庭",
        "category_id": "cat-1",
    }});
    let created = fake.oapi("/topapi/blackboard/create", &token, create).await;
    assert_eq!(
        (created.errcode(), created.json()["result"].as_bool()),
        (0, Some(true)),
        "{}",
        created.text
    );
    assert_eq!(created.json()["success"], true);

    let listed = ids(&fake
        .oapi("/topapi/blackboard/listids", &token, listids(1, 30))
        .await);
    assert_eq!(listed.len(), 1);
    let id = listed[0].clone();

    let get = json!({"blackboard_id": id, "operation_userid": "manager01"});
    let got = fake
        .oapi("/topapi/blackboard/get", &token, get.clone())
        .await
        .json();
    let result = &got["result"];
    assert_eq!(
        (result["id"].as_str(), result["title"].as_str()),
        (Some(id.as_str()), Some("入职须知")),
        "{got}"
    );
    assert_eq!(
        (result["author"].as_str(), result["category_id"].as_str()),
        (Some("杨xx"), Some("cat-1"))
    );
    assert_eq!(result["username_list"], json!(["manager02"]));
    assert!(result["gmt_create"].as_str().is_some_and(|t| t.len() == 19));

    let update = json!({"update_request": {
        "blackboard_id": id, "title": "新标题", "content": "新内容", "operation_userid": "manager01"
    }});
    assert_eq!(
        fake.oapi("/topapi/blackboard/update", &token, update.clone())
            .await
            .errcode(),
        0
    );
    let got = fake
        .oapi("/topapi/blackboard/get", &token, get.clone())
        .await
        .json();
    assert_eq!(
        (
            got["result"]["title"].as_str(),
            got["result"]["content"].as_str()
        ),
        (Some("新标题"), Some("新内容"))
    );

    let top = fake
        .oapi(
            "/topapi/blackboard/listtopten",
            &token,
            json!({"userid": "manager02"}),
        )
        .await
        .json();
    assert_eq!(top["blackboard_list"][0]["id"], id.as_str(), "{top}");
    assert_eq!(top["blackboard_list"][0]["categoryId"], "cat-1");
    let other = fake
        .oapi(
            "/topapi/blackboard/listtopten",
            &token,
            json!({"userid": "someone-else"}),
        )
        .await
        .json();
    assert_eq!(other["blackboard_list"], json!([]), "not a receiver");
    let categories = fake
        .oapi(
            "/topapi/blackboard/category/list",
            &token,
            json!({"operation_userid": "m"}),
        )
        .await
        .json();
    assert_eq!(categories["result"], json!([]), "no seed, no categories");

    let delete = json!({"blackboard_id": id, "operation_userid": "manager01"});
    assert_eq!(
        fake.oapi("/topapi/blackboard/delete", &token, delete.clone())
            .await
            .errcode(),
        0
    );
    let gone = fake.oapi("/topapi/blackboard/get", &token, get).await;
    assert_eq!(gone.errcode(), 40035, "{}", gone.text);
    assert!(
        gone.json()["errmsg"]
            .as_str()
            .unwrap_or_default()
            .contains("公告不存在")
    );
    assert_eq!(
        fake.oapi("/topapi/blackboard/update", &token, update)
            .await
            .errcode(),
        40035
    );
    assert_eq!(
        fake.oapi("/topapi/blackboard/delete", &token, delete)
            .await
            .errcode(),
        40035
    );
    assert!(
        ids(&fake
            .oapi("/topapi/blackboard/listids", &token, listids(1, 30))
            .await)
        .is_empty()
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn reports_are_found_within_their_time_window() {
    let fake = Fake::start(false).await;
    let token = fake.token().await;
    let create = json!({"create_report_param": {
        "contents": [{"sort": 0, "type": 1, "content_type": "markdown", "content": "今天完成了开发", "key": "今日工作"}],
        "template_id": "t-1", "to_chat": true, "dd_from": "report", "userid": "user123",
    }});
    let created = fake.oapi("/topapi/report/create", &token, create).await;
    let id = created.json()["result"]
        .as_str()
        .expect("report id")
        .to_owned();
    let now = dingtalk_openapi_runtime::primitives::EpochMillis::now().as_millis();
    let list = |start: i64, end: i64| json!({"start_time": start, "end_time": end, "cursor": 0, "size": 10});

    let found = fake
        .oapi(
            "/topapi/report/list",
            &token,
            list(now - 60_000, now + 60_000),
        )
        .await
        .json();
    let item = &found["result"]["data_list"][0];
    assert_eq!(
        (item["report_id"].as_str(), item["creator_id"].as_str()),
        (Some(id.as_str()), Some("user123")),
        "{found}"
    );
    assert_eq!(
        item["contents"][0],
        json!({"sort": "0", "type": "1", "value": "今天完成了开发", "key": "今日工作"})
    );
    assert_eq!(found["result"]["has_more"], false);
    let outside = fake
        .oapi(
            "/topapi/report/list",
            &token,
            list(now - 120_000, now - 60_000),
        )
        .await
        .json();
    assert_eq!(outside["result"]["data_list"], json!([]));
    fake.server.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Paging

/// Follows one operation's pages as its style says, starting at `request`; every page's items.
async fn walk(fake: &Fake, token: &str, op: &OperationInfo, mut request: Value) -> Vec<Vec<Value>> {
    let p = op.pagination.expect("paginated");
    let at = |v: &Value, path: &str| {
        path.split('.')
            .try_fold(v.clone(), |v, k| v.get(k).cloned())
    };
    let set = |v: &mut Value, path: &str, new: Value| {
        let mut cur = v;
        let keys: Vec<&str> = path.split('.').collect();
        for k in &keys[..keys.len() - 1] {
            cur = &mut cur[*k];
        }
        cur[keys[keys.len() - 1]] = new;
    };
    let mut pages = Vec::new();
    for page in 2..20 {
        let answer = if op.host == Host::Api {
            let query: Vec<(String, String)> = request
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_i64().map_or_else(|| v.to_string(), |n| n.to_string()),
                    )
                })
                .collect();
            let query: Vec<(&str, &str)> = query
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            fake.api_get(op.path, token, &query).await.json()
        } else {
            fake.oapi(op.path, token, request.clone()).await.json()
        };
        let items = at(&answer, p.items)
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default();
        let size = at(&request, p.size).and_then(|v| v.as_u64()).unwrap_or(0) as usize;
        let next = match p.style {
            PaginationStyle::PageNumber => (items.len() == size).then(|| json!(page)),
            PaginationStyle::CursorHasMore | PaginationStyle::NextToken => {
                let more = p
                    .has_more
                    .and_then(|h| at(&answer, h))
                    .and_then(|v| v.as_bool())
                    .expect("has_more");
                if more {
                    p.next.and_then(|n| at(&answer, n))
                } else {
                    None
                }
            }
            _ => p.next.and_then(|n| at(&answer, n)).filter(|v| !v.is_null()),
        };
        pages.push(items);
        match next {
            Some(next) => set(&mut request, p.cursor, next),
            None => return pages,
        }
    }
    panic!("{}: pagination did not end", op.id);
}

#[tokio::test]
async fn paging_ends_in_every_style() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let cases: [(&OperationInfo, Value); 5] = [
        (
            ReportList::INFO,
            json!({"start_time": 1_507_564_800_000_i64, "end_time": 1_507_651_200_000_i64, "cursor": 0, "size": 3}),
        ),
        (Preentry::INFO, json!({"offset": 0, "size": 3})),
        (
            Checkin::INFO,
            json!({"userid_list": "u", "start_time": 0, "end_time": 1, "cursor": 0, "size": 3}),
        ),
        (ListIds::INFO, listids(1, 3)),
        (Dismissions::INFO, json!({"maxResults": 3})),
    ];
    for (op, request) in cases {
        let pages = walk(&fake, &token, op, request).await;
        let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
        assert_eq!(sizes, [3, 3, 1], "{}", op.id);
        let mut all: Vec<String> = pages.iter().flatten().map(Value::to_string).collect();
        all.dedup();
        assert_eq!(all.len(), 7, "{}: every item once", op.id);
    }
    // The end of each style, as DingTalk words it.
    let last = fake
        .oapi(
            "/topapi/checkin/record/get",
            &token,
            json!({"cursor": 6, "size": 3}),
        )
        .await
        .json();
    assert_eq!(
        last["result"]["next_cursor"],
        Value::Null,
        "nullable cursor: null at the end"
    );
    let last = fake
        .oapi(
            "/topapi/smartwork/hrm/employee/querypreentry",
            &token,
            json!({"offset": 6, "size": 3}),
        )
        .await
        .json();
    assert!(
        last["result"].get("next_cursor").is_none(),
        "offset: next_cursor absent at the end"
    );
    assert_eq!(last["success"], true);
    let last = fake
        .api_get(
            "/v1.0/hrm/employees/dismissions",
            &token,
            &[("nextToken", "6"), ("maxResults", "3")],
        )
        .await
        .json();
    assert_eq!(
        (last.get("nextToken"), last["hasMore"].as_bool()),
        (None, Some(false))
    );
    fake.server.shutdown().await;
}
