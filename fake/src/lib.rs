//! An offline fake of DingTalk on 127.0.0.1, for tests, `dingtalk --mock` and
//! `dingtalk mock serve`.
//!
//! The fake knows every operation of `dingtalk-openapi` through [`operations`] (a
//! [`MockOperation`] per operation, made by [`MockVisitor`]) and needs no hand-written code per
//! endpoint: it routes by path and method, checks credentials the way DingTalk does for the
//! operation's host, checks "the request" against the typed request type (unknown fields, types, required
//! fields, documented limits), and answers the documented example response with the envelope
//! filled in. A few areas keep state (blackboards, reports); paginated operations page over
//! seeded data in their own style. One base URL serves the oapi host, the v1.0 host and the
//! robot webhook.
//!
//! ```no_run
//! use dingtalk_openapi::Client;
//! use dingtalk_openapi::report::ReportGetunreadcountRequest;
//! use dingtalk_openapi_fake::{Fault, MockServer, operations};
//!
//! # async fn test() -> Result<(), Box<dyn std::error::Error>> {
//! let server = MockServer::builder(operations()).start().await?;
//! let client = Client::builder()
//!     .app_credentials(server.app_key(), server.app_secret())
//!     .oapi_base_url(server.base_url()) // one base URL serves both hosts
//!     .api_base_url(server.base_url())
//!     .build()?;
//! let unread = client.report().getunreadcount(ReportGetunreadcountRequest::new("user123")).await?;
//! server.faults().push_for("report.getunreadcount", Fault::errcode(90018));
//! // ... call again, then look at server.requests() ...
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Behaviour
//!
//! Checks run in this order; the first that fails answers. oapi answers are HTTP 200 with
//! `{errcode, errmsg, request_id}` (errcode 88 adds `sub_code` and `sub_msg`); v1.0 answers are an
//! HTTP status with `{code, message, requestid}` and an `x-acs-request-id` header.
//!
//! | condition | oapi (`errcode` envelope) | v1.0 (bare envelope) |
//! | --- | --- | --- |
//! | body over 4 MiB | HTTP 413 `RequestEntityTooLarge` | HTTP 413 `RequestEntityTooLarge` |
//! | body not arrived within the body-read timeout (see [Limits](#limits)) | HTTP 408 `RequestTimeout`, connection closed | HTTP 408 `RequestTimeout`, connection closed |
//! | path of no operation (see [Routing](#routing)) | HTTP 404, errcode 404 | HTTP 404 `NotFound` |
//! | a queued [`Fault`] matches | the fault (see [`Fault`]) | the fault |
//! | wrong method: no operation at the path has it | 43001 需要GET请求 / 43002 需要POST请求 | 405 `MethodNotAllowed` |
//! | no token where the operation reads it (a token in the other place does not count) | 88, sub_code 40000 缺少参数access_token | 400 `AuthenticationFailed.MissingParameter` |
//! | token never issued | 88, sub_code 40014 不合法的access_token | 400 `InvalidAuthentication` |
//! | token expired (ttl or [`Faults::expire_tokens`]) | 88/40014, or 42001 access_token超时 with [`TokenRejection::Expired`] | 400 `InvalidAuthentication` |
//! | robot: wrong or missing `access_token` | 300005 token is not exist | |
//! | robot with a secret: `timestamp` missing, not an integer, or over 1 hour off the fake's clock (any `i64` is compared safely) | 310000 invalid timestamp | |
//! | robot with a secret: `sign` does not match | 310000 sign not match | |
//! | robot: body over 20,000 bytes | 460101 message too long | |
//! | signed query (`auth: app_signature`): `accessKey` missing or not an app key of the fake | 853003 accessKey参数无效 | |
//! | signed query: `timestamp` missing or not a whole number of milliseconds | 853001 timestamp参数格式错误 | |
//! | signed query: `timestamp` over 1 minute off the fake's clock ([`MockBuilder::time_source`]) | 853002 timestamp参数无效 | |
//! | signed query: `signature` is not the app secret's signature of `timestamp` | 853004 signature参数错误 | |
//! | robot: 21st accepted message within a minute, per token | 660026 send too fast | |
//! | a body not declared `application/json` (a topapi operation also takes `application/x-www-form-urlencoded`) | 43004 无效的HTTP HEADER Content-Type | 415 `UnsupportedMediaType` |
//! | body not a JSON object (where the operation does not take the whole body) | 40035 不合法的参数 | 400 `InvalidParameter` |
//! | required parameter missing | 40035 缺少参数 `field` | 400 `MissingParameter` |
//! | unknown field, wrong type, broken limit; a value sent as JSON text that is not JSON; numbered query keys with a gap or sent twice | 40035 不合法的参数 `field`: `problem` | 400 `InvalidParameter` |
//! | blackboard id unknown or deleted (get, update, delete) | 40035 公告不存在 | |
//! | otherwise | the answer: example response, envelope filled in | the answer, `x-acs-request-id` |
//!
//! The answer has the shape the operation's [`Returns`](dingtalk_openapi_runtime::operation::Returns)
//! says: an object (the usual case), or a bare array, boolean or any JSON value (the example
//! response as it is, sent unchanged; `[]` or `true` when the example lacks the shape), or for
//! `Returns::Empty` HTTP 200 with an empty body and the `x-acs-request-id` header (an oapi
//! operation answers its bare envelope, `errcode` 0). Failures and faults answer alike for
//! every shape.
//!
//! Paginated operations take any cursor, offset, page number or size their typed request
//! accepts: past the end is an empty last page, before the start the first page, a size past
//! the items all of them (and integers past `i64`, where a hand-written operation takes them,
//! count as its ends).
//!
//! Query parameters, path parameters and headers arrive as text (the items of numbered query
//! keys too); where the typed request wants a number or a boolean, the fake reads the text as
//! one. The credential (`access_token`; for the robot also `timestamp` and `sign`; for a signed
//! query `accessKey`, `timestamp` and `signature`) is not part of "the request" (see [The
//! request](#the-request)).
//!
//! The topapi operations (`POST /topapi/...`) also take their parameters as an HTML form, as
//! DingTalk's own curl examples and its older Java SDK send them: fields are text, read as
//! numbers or booleans where the typed request wants one and as JSON where it wants an object
//! or a list (`query_request={"page":1,...}`); the `access_token` may be a field instead of a
//! query parameter. Every other operation (v1.0, the robot webhook, the other oapi paths) wants
//! JSON.
//!
//! Token endpoints: `GET /gettoken?appkey=&appsecret=` (bad pair: 40096 不合法的appKey或appSecret)
//! or `?corpid=&corpsecret=` (bad pair: 40089 不合法的corpid或corpsecret) answers
//! `{access_token, expires_in}`; `GET /sso/gettoken?corpid=&corpsecret=` (the SSO secret) answers
//! `{access_token}`; `POST /v1.0/oauth2/accessToken` `{appKey, appSecret}` answers
//! `{accessToken, expireIn}` (bad pair: HTTP 400 `invalidClientIdOrSecret`). Asking again while a
//! token is valid returns the same token, extended. One token serves both hosts.
//!
//! # Routing
//!
//! A path is literal (`/topapi/blackboard/create`) or a template with `{name}` segments
//! (`/v1.0/contact/users/{userId}`). A request path matches a template with as many segments,
//! the same literal segments and a non-empty segment for each `{name}`. Of the operations that
//! match, the one with the request's method wins, then the one with the most literal segments
//! (`/users/me` before `/users/{userId}`), then the one whose literal segments come first; when
//! none has the method, the request is refused for its method. The index is built once when the
//! server starts, so routing stays quick with thousands of operations. A recorded request keeps
//! the path as sent and names the operation it was routed to.
//!
//! # The request
//!
//! "The request" holds every parameter by wire name, however it travelled:
//!
//! - a path parameter: its segment, percent-decoded (`%2F` is a `/` inside the value), as text;
//! - the JSON body's keys (a GET reads a body only when the operation declares body
//!   parameters; the other methods whenever one is sent); a whole-body parameter (`Location::WholeBody`, usually a bare array) is the
//!   body itself, under the parameter's name;
//! - query parameters and the declared headers, as text;
//! - a value written as JSON text (`Encode::Json`): `?filter={"a":1}`, a header, or a body key
//!   whose value is a string holding JSON, read back into the value it spells;
//! - a list written as numbered query keys (`Encode::Repeat`): `name.1=a&name.2=b` is
//!   `["a", "b"]`, `name.1.key=v` is `[{"key": "v"}]`, numbered from 1 without gaps.
//!
//! # Stream mode
//!
//! The fake also plays DingTalk's Stream gateway ([`MockServer::gateway`], a [`Gateway`]): a
//! client opens a connection at `POST {base_url}/v1.0/gateway/connections/open` with the app's
//! credentials and subscriptions, gets a `ws://127.0.0.1:PORT/connect` endpoint and a single-use
//! ticket, and receives the EVENT and CALLBACK messages a test pushes ([`Push`]), which it acks.
//! Unacked messages come again after the redelivery interval (60 s of tokio time), and
//! [`StreamFault`]s make the gateway disconnect, drop or freeze a connection, refuse tickets or
//! fail the open call. Robot messages from [`Gateway::bot_text`] carry a session webhook on the
//! fake that records replies.
//!
//! ```no_run
//! use std::time::Duration;
//! use dingtalk_openapi_fake::{MockServer, Push, StreamFault, operations};
//!
//! # async fn test() -> Result<(), Box<dyn std::error::Error>> {
//! let server = MockServer::builder(operations()).start().await?;
//! let gateway = server.gateway();
//! // ... start the Stream client under test against server.base_url() ...
//! let id = gateway.push(gateway.bot_text("hello", Duration::from_secs(3600)));
//! let acks = tokio::time::timeout(Duration::from_secs(5), gateway.wait_acks(1)).await?;
//! assert_eq!(acks[0].message_id, id);
//! gateway.fault(StreamFault::Disconnect); // the client must reconnect
//! # Ok(()) }
//! ```
//!
//! # Control API
//!
//! For `dingtalk mock serve` users in any language; see the table in the `control` module:
//! `POST /__mock/faults` with `{"op": "blackboard.create", "fault": {"errcode": 90018}}` (or
//! `{"status": 503, "code": "systemError"}`, `{"delay_ms": 2000}`, `"malformed"`, `"html"`,
//! `"truncated"`, `"reset"`; optional `"times": N`), `DELETE /__mock/faults`,
//! `POST /__mock/expire-tokens` (optional `{"answer": "expired"}` for 42001),
//! `GET /__mock/requests`, `GET /__mock/calls`, `GET /__mock/operations`, `POST /__mock/reset`;
//! for the Stream gateway `POST /__mock/stream/push` (`{"type": "EVENT" | "CALLBACK", "topic",
//! "data", "messageId"?}`), `GET /__mock/stream/acks`, `POST /__mock/stream/faults`
//! (`{"fault": "disconnect"}` and the like) and `GET /__mock/stream`.
//! A fault's `op` must be an operation the fake serves (else HTTP 400 naming the nearest one);
//! `delay_ms` is at most 600,000, the text fields at most 1,024 bytes, and at most 1,000 faults
//! are queued at once, each with its count (`times` up to 4,294,967,295 is one entry).
//!
//! # Limits
//!
//! The fake is for tests, but it may be reached by anything on the machine; it holds every
//! peer to these limits (the first four set on [`MockBuilder`]):
//!
//! | limit | default | past it |
//! | --- | --- | --- |
//! | [header-read timeout](MockBuilder::header_read_timeout): a request's headers, from their first byte (a new connection's, from the accept) | 10 s | the connection is closed, no answer |
//! | [body-read timeout](MockBuilder::body_read_timeout): a request's body, once its headers arrived | 30 s | HTTP 408 `RequestTimeout`, connection closed |
//! | [idle timeout](MockBuilder::idle_timeout): a kept-alive connection between an answer and the next request, on tokio's clock and the real one | 30 s | the connection is closed |
//! | [connections](MockBuilder::max_connections) served at once | 1024 | a new connection is answered HTTP 503 `ServiceUnavailable` (best effort) and closed at once; the others go on |
//! | request body | 4 MiB | HTTP 413 (see the table above) |
//! | recorded requests ([`MockServer::requests`], `GET /__mock/requests`) | 10,000 requests and 16 MiB | the oldest are dropped; of a body over 64 KiB only its first 64 KiB are kept, its length in [`RecordedRequest::body_len`] (`body_len` in JSON) |
//! | queued faults (control API) | 1,000, each with its count | HTTP 400 naming the limit |
//! | Stream: a client's WebSocket frame or message | 1 MiB | the connection is closed |
//! | Stream: live WebSocket connections | 16 | the upgrade is answered HTTP 503 |
//! | Stream: pending messages pushed through the control API | 10,000 | HTTP 400 naming the limit |
//! | Stream: recorded acks, ping replies, open requests, session replies | 10,000 each | the oldest are dropped |
//!
//! A live WebSocket is exempt from the header-read and idle timeouts (the gateway times it).
//!
//! The timeouts run on tokio's clock, so tests may pause it and advance it; the idle timeout also
//! waits for the real clock, so advancing tokio's does not close a client's kept-alive
//! connections under it. A timeout past 30 years is not timed.
//! [`Faults::push`] and [`Faults::push_for`] from Rust are not capped (the same fault pushed
//! again for the same operation right after itself is stored once with its count);
//! [`Faults::push_for`] for an operation the fake does not serve queues nothing and logs an
//! error, [`Faults::try_push_for`] returns it as [`UnknownOperation`].

#![deny(missing_docs)]

mod answer;
mod auth;
mod check;
mod conn;
mod control;
mod dispatch;
mod faults;
mod gateway;
mod multipart;
mod paging;
mod params;
mod record;
mod route;
mod server;
mod shared;
mod state;
mod tokens;

pub use check::{MockOperation, MockVisitor, Rejection, RejectionKind};
pub use faults::{Fault, Faults, TokenRejection, UnknownOperation};
pub use gateway::{Gateway, Push, RecordedAck, StreamFault, SystemReply};
pub use record::RecordedRequest;
pub use server::{MockBuilder, MockServer, serve};

/// The fake's view of every operation of `dingtalk-openapi` (the areas its features enable),
/// sorted by id: what [`MockServer::builder`] takes.
pub fn operations() -> Vec<MockOperation> {
    dingtalk_openapi::operations()
        .into_iter()
        .filter_map(|op| dingtalk_openapi::dyn_operation(op.id))
        .map(MockOperation::erased)
        .collect()
}
