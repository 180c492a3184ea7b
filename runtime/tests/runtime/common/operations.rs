//! Hand-written operations shaped like real ones: each pagination style, the oapi, v1.0 and robot
//! hosts, every parameter location, a limit check, an operation that adds no credential and one
//! that signs its query.

use dingtalk_openapi_runtime::operation::{
    Auth, Effect, Envelope, Host, Location, Method as OpMethod, Operation, OperationInfo,
    PageState, Paginated, PaginationStyle, Param,
};
use dingtalk_openapi_runtime::primitives::EpochMillis;
use dingtalk_openapi_runtime::validate::{FieldPath, ValidationError, range, window};
use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// `POST /topapi/report/list`: cursor + has_more, with a limit check on `size` and a time window
/// of at most 180 days.
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
        range(&root.field("size"), self.size, Some(1), Some(20))?;
        let (start, end) = (EpochMillis(self.start_time), EpochMillis(self.end_time));
        window(
            &root,
            ("start_time", Some(&start)),
            ("end_time", Some(&end)),
            180,
        )
    }
}

impl Paginated for ReportList {
    type Item = Value;
    type Cursor = i64;
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
    type Cursor = i64;
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
    type Cursor = i64;
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
    type Cursor = i64;
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
    type Cursor = i64;
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

/// `POST /sns/getuserinfo_bycode`: the app's signed query (`accessKey`, `timestamp`,
/// `signature`) instead of a token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnsByCode {
    pub tmp_auth_code: String,
}

pub static SNS_BY_CODE: OperationInfo = OperationInfo::new(
    "sns.getuserinfo_bycode",
    OpMethod::Post,
    Host::Oapi,
    "/sns/getuserinfo_bycode",
)
.with_auth(Auth::AppSignature)
.with_params(&[Param::new("tmp_auth_code", Location::Body, true, false)]);

impl Operation for SnsByCode {
    type Response = Value;
    const INFO: &'static OperationInfo = &SNS_BY_CODE;
}
