//! A scriptable fake DingTalk on 127.0.0.1, and hand-written operations shaped like real ones.
//!
//! The fake records every request, issues access tokens from `/gettoken` (`at-1-c0ffee`,
//! `at-2-c0ffee`, …), refuses revoked tokens the way each host does, and answers every other path
//! from a per-path script of replies, then from a per-path handler.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use dingtalk_openapi_runtime::operation::{
    Auth, Effect, Envelope, Host, Location, Method as OpMethod, Operation, OperationInfo,
    PageState, Paginated, PaginationStyle, Param,
};
use dingtalk_openapi_runtime::validate::{FieldPath, ValidationError, range};
use dingtalk_openapi_runtime::{Client, ClientBuilder};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The app secret every test client uses; it must never show up in output.
pub const APP_KEY: &str = "ding-app-key";
pub const APP_SECRET: &str = "app-secret-7f3a91e2";
pub const ROBOT_TOKEN: &str = "robot-token-5be1d0";
pub const ROBOT_SECRET: &str = "SECrobot-secret-88aa";

/// The access token the fake issues for its `n`th token request.
pub fn issued_token(n: usize) -> String {
    format!("at-{n}-c0ffee")
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The raw query string, as sent.
    pub raw_query: String,
    /// The query string decoded once, in order.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: Instant,
}

impl Recorded {
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The access token the request carried, in the query or the v1.0 header.
    pub fn token(&self) -> Option<String> {
        self.query_value("access_token")
            .or_else(|| self.header("x-acs-dingtalk-access-token"))
            .map(str::to_owned)
    }
}

/// What the fake answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn json(value: Value) -> Reply {
        Reply {
            status: 200,
            content_type: "application/json",
            body: value.to_string(),
            delay: Duration::ZERO,
        }
    }

    pub fn raw(status: u16, content_type: &'static str, body: &str) -> Reply {
        Reply {
            status,
            content_type,
            body: body.to_owned(),
            delay: Duration::ZERO,
        }
    }

    pub fn ok() -> Reply {
        Reply::json(json!({"errcode": 0, "errmsg": "ok"}))
    }

    pub fn errcode(errcode: i64, errmsg: &str) -> Reply {
        Reply::json(json!({"errcode": errcode, "errmsg": errmsg, "request_id": "req-fake"}))
    }

    pub fn status(mut self, status: u16) -> Reply {
        self.status = status;
        self
    }

    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

type Handler = Arc<dyn Fn(&Recorded) -> Reply + Send + Sync>;

#[derive(Default)]
pub struct FakeState {
    requests: Mutex<Vec<Recorded>>,
    scripts: Mutex<HashMap<String, VecDeque<Reply>>>,
    handlers: Mutex<HashMap<String, Handler>>,
    revoked: Mutex<HashSet<String>>,
    /// Replies to a revoked token, by host style (`oapi` or `v1.0`).
    revoked_oapi_reply: Mutex<Option<Reply>>,
    token_requests: AtomicUsize,
    token_expires_in: AtomicI64,
    token_delay_ms: AtomicUsize,
}

/// A running fake; dropped with the test's runtime.
#[derive(Clone)]
pub struct Fake {
    pub addr: SocketAddr,
    pub state: Arc<FakeState>,
}

impl Fake {
    pub async fn start() -> Fake {
        let state = Arc::new(FakeState::default());
        state.token_expires_in.store(7200, Ordering::SeqCst);
        let app = Router::new().fallback(handle).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Fake { addr, state }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client aimed at the fake: app credentials, no pacing, millisecond backoffs.
    pub fn builder(&self) -> ClientBuilder {
        Client::builder()
            .app_credentials(APP_KEY, APP_SECRET)
            .oapi_base_url(self.url())
            .api_base_url(self.url())
            .no_rate_limit()
            .retry_base_delay(Duration::from_millis(1))
            .retry_max_delay(Duration::from_millis(5))
            .rate_limit_retry_wait(Duration::from_millis(50))
    }

    pub fn client(&self) -> Client {
        self.builder().build().expect("client")
    }

    /// Queues replies for a path, used before its handler.
    pub fn script(&self, path: &str, replies: impl IntoIterator<Item = Reply>) {
        let mut scripts = self.state.scripts.lock().unwrap();
        scripts.entry(path.to_owned()).or_default().extend(replies);
    }

    /// Answers a path with a function of the request once its script is used up.
    pub fn on(&self, path: &str, handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) {
        self.state
            .handlers
            .lock()
            .unwrap()
            .insert(path.to_owned(), Arc::new(handler));
    }

    /// Refuses `token` from now on.
    pub fn revoke(&self, token: &str) {
        self.state.revoked.lock().unwrap().insert(token.to_owned());
    }

    /// How an oapi path refuses a revoked token (default errcode 88, sub_code 40014).
    pub fn revoked_oapi_reply(&self, reply: Reply) {
        *self.state.revoked_oapi_reply.lock().unwrap() = Some(reply);
    }

    pub fn token_expires_in(&self, seconds: i64) {
        self.state.token_expires_in.store(seconds, Ordering::SeqCst);
    }

    pub fn token_delay(&self, delay: Duration) {
        self.state.token_delay_ms.store(
            usize::try_from(delay.as_millis()).unwrap(),
            Ordering::SeqCst,
        );
    }

    pub fn token_requests(&self) -> usize {
        self.state.token_requests.load(Ordering::SeqCst)
    }

    /// Every request but token requests, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path != "/gettoken")
            .cloned()
            .collect()
    }

    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.state
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

async fn handle(
    State(state): State<Arc<FakeState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let raw_query = uri.query().unwrap_or_default().to_owned();
    let query = reqwest::Url::parse(&format!("http://fake/?{raw_query}"))
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let recorded = Recorded {
        method: method.to_string(),
        path: uri.path().to_owned(),
        raw_query,
        query,
        headers,
        body,
        at: Instant::now(),
    };
    state.requests.lock().unwrap().push(recorded.clone());
    let reply = reply_for(&state, &recorded);
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [
            ("content-type", reply.content_type),
            ("x-acs-request-id", "hdr-req-id"),
        ],
        reply.body,
    )
        .into_response()
}

fn reply_for(state: &FakeState, req: &Recorded) -> Reply {
    let scripted = state
        .scripts
        .lock()
        .unwrap()
        .get_mut(&req.path)
        .and_then(VecDeque::pop_front);
    if req.path == "/gettoken" {
        let n = state.token_requests.fetch_add(1, Ordering::SeqCst) + 1;
        let delay = Duration::from_millis(state.token_delay_ms.load(Ordering::SeqCst) as u64);
        if let Some(reply) = scripted {
            return reply.after(delay);
        }
        let expires_in = state.token_expires_in.load(Ordering::SeqCst);
        return Reply::json(json!({"errcode": 0, "errmsg": "ok", "access_token": issued_token(n), "expires_in": expires_in}))
            .after(delay);
    }
    let revoked = req
        .token()
        .is_some_and(|token| state.revoked.lock().unwrap().contains(&token));
    if revoked && req.path.starts_with("/v1.0/") {
        let body = json!({"code": "InvalidAuthentication", "message": "不合法的access_token", "requestid": "r-auth"});
        return Reply::json(body).status(400);
    }
    if revoked {
        return state.revoked_oapi_reply.lock().unwrap().clone().unwrap_or_else(|| {
            Reply::json(json!({"errcode": 88, "errmsg": "invalid token", "sub_code": "40014", "sub_msg": "不合法的access_token"}))
        });
    }
    if let Some(reply) = scripted {
        return reply;
    }
    let handler = state.handlers.lock().unwrap().get(&req.path).cloned();
    match handler {
        Some(handler) => handler(req),
        None => Reply::json(json!({"code": "NotFound", "message": req.path})).status(404),
    }
}

/// Starts a raw TCP server whose connections are handed to `serve`; for faults axum cannot make.
pub async fn raw_server<F, Fut>(serve: F) -> (SocketAddr, Arc<AtomicUsize>)
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(serve(stream));
        }
    });
    (addr, accepted)
}

// ---------------------------------------------------------------------------------------------
// Operations shaped like real ones.

/// `POST /topapi/blackboard/create`: a create with a nested wrapper object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BlackboardCreate {
    pub create_request: CreateRequest,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreateRequest {
    pub title: String,
    pub content: String,
    pub operation_userid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ding: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub struct BlackboardCreateResponse {
    pub result: Option<String>,
    pub success: Option<bool>,
}

pub static BLACKBOARD_CREATE: OperationInfo = OperationInfo::new(
    "blackboard.create",
    OpMethod::Post,
    Host::Oapi,
    "/topapi/blackboard/create",
)
.with_effect(Effect::Create)
.with_params(&[Param::new("create_request", Location::Body, true, false)]);

impl Operation for BlackboardCreate {
    type Response = BlackboardCreateResponse;
    const INFO: &'static OperationInfo = &BLACKBOARD_CREATE;
}

pub fn blackboard_create() -> BlackboardCreate {
    BlackboardCreate {
        create_request: CreateRequest {
            title: "周五团建".into(),
            content: "<p>hello</p>".into(),
            operation_userid: "manager1".into(),
            ding: Some(true),
        },
    }
}

/// `POST /topapi/report/list`: cursor + has_more, with a limit check on `size`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportList {
    pub start_time: i64,
    pub end_time: i64,
    pub cursor: i64,
    pub size: i64,
}

#[derive(Debug, Deserialize)]
pub struct ReportListResponse {
    pub result: ReportPage,
}

#[derive(Debug, Deserialize)]
pub struct ReportPage {
    #[serde(default)]
    pub data_list: Vec<Value>,
    #[serde(default)]
    pub has_more: Option<bool>,
    #[serde(default)]
    pub next_cursor: Option<i64>,
}

pub static REPORT_LIST: OperationInfo = OperationInfo::new(
    "report.list",
    OpMethod::Post,
    Host::Oapi,
    "/topapi/report/list",
)
.with_pagination(PaginationStyle::CursorHasMore)
.with_params(&[
    Param::new("start_time", Location::Body, true, false),
    Param::new("end_time", Location::Body, true, false),
    Param::new("cursor", Location::Body, true, false),
    Param::new("size", Location::Body, true, false),
]);

impl Operation for ReportList {
    type Response = ReportListResponse;
    const INFO: &'static OperationInfo = &REPORT_LIST;

    fn validate(&self) -> Result<(), ValidationError> {
        let root = FieldPath::root(Self::INFO.id);
        range(&root.field("size"), self.size, Some(1), Some(20))
    }
}

impl Paginated for ReportList {
    type Item = Value;
    const STYLE: PaginationStyle = PaginationStyle::CursorHasMore;
    fn cursor(&self) -> Option<i64> {
        Some(self.cursor)
    }
    fn set_cursor(&mut self, cursor: Option<i64>) {
        self.cursor = cursor.unwrap_or(0);
    }
    fn page_size(&self) -> Option<i64> {
        Some(self.size)
    }
    fn page_state(r: &ReportListResponse) -> PageState {
        PageState::new(
            r.result.next_cursor,
            r.result.has_more,
            r.result.data_list.len(),
        )
    }
    fn into_items(r: ReportListResponse) -> Vec<Value> {
        r.result.data_list
    }
}

pub fn report_list(size: i64) -> ReportList {
    ReportList {
        start_time: 1_700_000_000_000,
        end_time: 1_700_086_400_000,
        cursor: 0,
        size,
    }
}

/// `GET /v1.0/hrm/employees/dismissions`: header token, bare answers, nextToken paging.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Dismissions {
    #[serde(rename = "nextToken", skip_serializing_if = "Option::is_none")]
    pub next_token: Option<i64>,
    #[serde(rename = "maxResults")]
    pub max_results: i64,
}

#[derive(Debug, Deserialize)]
pub struct DismissionsResponse {
    #[serde(rename = "nextToken", default)]
    pub next_token: Option<i64>,
    #[serde(rename = "hasMore", default)]
    pub has_more: Option<bool>,
    #[serde(rename = "userIdList", default)]
    pub user_id_list: Vec<String>,
}

pub static DISMISSIONS: OperationInfo = OperationInfo::new(
    "hrm.employees.dismissions",
    OpMethod::Get,
    Host::Api,
    "/v1.0/hrm/employees/dismissions",
)
.with_auth(Auth::HeaderToken)
.with_envelope(Envelope::Bare)
.with_pagination(PaginationStyle::NextToken)
.with_params(&[
    Param::new("nextToken", Location::Query, false, false),
    Param::new("maxResults", Location::Query, true, false),
]);

impl Operation for Dismissions {
    type Response = DismissionsResponse;
    const INFO: &'static OperationInfo = &DISMISSIONS;
}

impl Paginated for Dismissions {
    type Item = String;
    const STYLE: PaginationStyle = PaginationStyle::NextToken;
    fn cursor(&self) -> Option<i64> {
        self.next_token
    }
    fn set_cursor(&mut self, cursor: Option<i64>) {
        self.next_token = cursor;
    }
    fn page_size(&self) -> Option<i64> {
        Some(self.max_results)
    }
    fn page_state(r: &DismissionsResponse) -> PageState {
        PageState::new(r.next_token, r.has_more, r.user_id_list.len())
    }
    fn into_items(r: DismissionsResponse) -> Vec<String> {
        r.user_id_list
    }
}

/// `POST /topapi/report/receiver/list`: offset in, next_cursor out.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReceiverList {
    pub report_id: String,
    pub offset: i64,
    pub size: i64,
}

#[derive(Debug, Deserialize)]
pub struct ReceiverListResponse {
    pub result: ReceiverPage,
}

#[derive(Debug, Deserialize)]
pub struct ReceiverPage {
    #[serde(default)]
    pub userid_list: Vec<String>,
    #[serde(default)]
    pub next_cursor: Option<i64>,
}

pub static RECEIVER_LIST: OperationInfo = OperationInfo::new(
    "report.receiver.list",
    OpMethod::Post,
    Host::Oapi,
    "/topapi/report/receiver/list",
)
.with_pagination(PaginationStyle::OffsetNextCursor)
.with_params(&[
    Param::new("report_id", Location::Body, true, false),
    Param::new("offset", Location::Body, false, false),
    Param::new("size", Location::Body, false, false),
]);

impl Operation for ReceiverList {
    type Response = ReceiverListResponse;
    const INFO: &'static OperationInfo = &RECEIVER_LIST;
}

impl Paginated for ReceiverList {
    type Item = String;
    const STYLE: PaginationStyle = PaginationStyle::OffsetNextCursor;
    fn cursor(&self) -> Option<i64> {
        Some(self.offset)
    }
    fn set_cursor(&mut self, cursor: Option<i64>) {
        self.offset = cursor.unwrap_or(0);
    }
    fn page_size(&self) -> Option<i64> {
        Some(self.size)
    }
    fn page_state(r: &ReceiverListResponse) -> PageState {
        PageState::new(r.result.next_cursor, None, r.result.userid_list.len())
    }
    fn into_items(r: ReceiverListResponse) -> Vec<String> {
        r.result.userid_list
    }
}

/// `POST /topapi/checkin/record/get`: cursor in, nullable next_cursor out.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckinRecordGet {
    pub userid_list: String,
    pub start_time: i64,
    pub end_time: i64,
    pub cursor: i64,
    pub size: i64,
}

#[derive(Debug, Deserialize)]
pub struct CheckinRecordResponse {
    pub result: CheckinPage,
}

#[derive(Debug, Deserialize)]
pub struct CheckinPage {
    #[serde(default)]
    pub page_list: Vec<Value>,
    #[serde(default)]
    pub next_cursor: Option<i64>,
}

pub static CHECKIN_RECORD_GET: OperationInfo = OperationInfo::new(
    "checkin.record.get",
    OpMethod::Post,
    Host::Oapi,
    "/topapi/checkin/record/get",
)
.with_pagination(PaginationStyle::NullableCursor)
.with_params(&[
    Param::new("userid_list", Location::Body, true, false),
    Param::new("start_time", Location::Body, true, false),
    Param::new("end_time", Location::Body, true, false),
    Param::new("cursor", Location::Body, true, false),
    Param::new("size", Location::Body, true, false),
]);

impl Operation for CheckinRecordGet {
    type Response = CheckinRecordResponse;
    const INFO: &'static OperationInfo = &CHECKIN_RECORD_GET;
}

impl Paginated for CheckinRecordGet {
    type Item = Value;
    const STYLE: PaginationStyle = PaginationStyle::NullableCursor;
    fn cursor(&self) -> Option<i64> {
        Some(self.cursor)
    }
    fn set_cursor(&mut self, cursor: Option<i64>) {
        self.cursor = cursor.unwrap_or(0);
    }
    fn page_size(&self) -> Option<i64> {
        Some(self.size)
    }
    fn page_state(r: &CheckinRecordResponse) -> PageState {
        PageState::new(r.result.next_cursor, None, r.result.page_list.len())
    }
    fn into_items(r: CheckinRecordResponse) -> Vec<Value> {
        r.result.page_list
    }
}

/// `POST /topapi/blackboard/listids`: page number inside a wrapper object; the answer is ids only.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BlackboardListIds {
    pub query_request: ListIdsQuery,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListIdsQuery {
    pub operation_userid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<i64>,
    pub page_size: i64,
}

#[derive(Debug, Deserialize)]
pub struct ListIdsResponse {
    #[serde(default)]
    pub result: Vec<String>,
}

pub static BLACKBOARD_LISTIDS: OperationInfo = OperationInfo::new(
    "blackboard.listids",
    OpMethod::Post,
    Host::Oapi,
    "/topapi/blackboard/listids",
)
.with_pagination(PaginationStyle::PageNumber)
.with_params(&[Param::new("query_request", Location::Body, true, false)]);

impl Operation for BlackboardListIds {
    type Response = ListIdsResponse;
    const INFO: &'static OperationInfo = &BLACKBOARD_LISTIDS;
}

impl Paginated for BlackboardListIds {
    type Item = String;
    const STYLE: PaginationStyle = PaginationStyle::PageNumber;
    fn cursor(&self) -> Option<i64> {
        self.query_request.page
    }
    fn set_cursor(&mut self, cursor: Option<i64>) {
        self.query_request.page = cursor;
    }
    fn page_size(&self) -> Option<i64> {
        Some(self.query_request.page_size)
    }
    fn page_state(r: &ListIdsResponse) -> PageState {
        PageState::new(None, None, r.result.len())
    }
    fn into_items(r: ListIdsResponse) -> Vec<String> {
        r.result
    }
}

/// `GET /sso/gettoken`: no credential added by the client; the secret is a query parameter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SsoGetToken {
    pub corpid: String,
    pub corpsecret: String,
}

#[derive(Debug, Deserialize)]
pub struct SsoGetTokenResponse {
    pub access_token: String,
}

pub static SSO_GETTOKEN: OperationInfo =
    OperationInfo::new("sso.gettoken", OpMethod::Get, Host::Oapi, "/sso/gettoken")
        .with_auth(Auth::None)
        .with_params(&[
            Param::new("corpid", Location::Query, true, false),
            Param::new("corpsecret", Location::Query, true, true),
        ]);

impl Operation for SsoGetToken {
    type Response = SsoGetTokenResponse;
    const INFO: &'static OperationInfo = &SSO_GETTOKEN;
}

/// A v1.0 POST whose parameters go to the query string, a header and the body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mixed {
    #[serde(rename = "unionId")]
    pub union_id: String,
    #[serde(rename = "x-acs-trace")]
    pub trace: String,
    #[serde(rename = "deptList")]
    pub dept_list: Vec<i64>,
    #[serde(rename = "isAdmin", skip_serializing_if = "Option::is_none")]
    pub is_admin: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct MixedResponse {
    pub ok: bool,
}

pub static MIXED: OperationInfo =
    OperationInfo::new("wire.mixed", OpMethod::Post, Host::Api, "/v1.0/wire/mixed")
        .with_auth(Auth::HeaderToken)
        .with_envelope(Envelope::Bare)
        .with_effect(Effect::Update)
        .with_params(&[
            Param::new("unionId", Location::Query, true, false),
            Param::new("limit", Location::Query, false, false),
            Param::new("isAdmin", Location::Query, false, false),
            Param::new("x-acs-trace", Location::Header, true, false),
            Param::new("deptList", Location::Body, true, false),
        ]);

impl Operation for Mixed {
    type Response = MixedResponse;
    const INFO: &'static OperationInfo = &MIXED;
}

/// A POST whose every parameter sits in the query string: the body must be `{}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueryOnly {
    pub userid: String,
}

pub static QUERY_ONLY: OperationInfo = OperationInfo::new(
    "wire.query_only",
    OpMethod::Post,
    Host::Oapi,
    "/topapi/wire/query_only",
)
.with_params(&[Param::new("userid", Location::Query, true, false)]);

impl Operation for QueryOnly {
    type Response = Value;
    const INFO: &'static OperationInfo = &QUERY_ONLY;
}

/// `POST /robot/send`: the robot's own credential.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RobotSend {
    pub msgtype: String,
    pub text: RobotText,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RobotText {
    pub content: String,
}

pub static ROBOT_SEND: OperationInfo =
    OperationInfo::new("robot.send", OpMethod::Post, Host::Robot, "/robot/send")
        .with_auth(Auth::Robot)
        .with_effect(Effect::Create)
        .with_params(&[
            Param::new("msgtype", Location::Body, true, false),
            Param::new("text", Location::Body, false, false),
        ]);

impl Operation for RobotSend {
    type Response = Value;
    const INFO: &'static OperationInfo = &ROBOT_SEND;
}

pub fn robot_text(content: &str) -> RobotSend {
    RobotSend {
        msgtype: "text".into(),
        text: RobotText {
            content: content.into(),
        },
    }
}

/// A cheap v1.0 read for volume tests.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ping {
    pub n: i64,
}

pub static PING: OperationInfo =
    OperationInfo::new("test.ping", OpMethod::Post, Host::Api, "/v1.0/test/ping")
        .with_auth(Auth::HeaderToken)
        .with_envelope(Envelope::Bare)
        .with_params(&[Param::new("n", Location::Body, true, false)]);

impl Operation for Ping {
    type Response = Value;
    const INFO: &'static OperationInfo = &PING;
}
