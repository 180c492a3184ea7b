//! How the fake words its answers: success envelopes, failures in oapi (`errcode`) or v1.0
//! (HTTP status + `{code, message, requestid}`) form, and the bodies of the broken-answer faults.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Serialize;
use serde_json::{Value, json};

use crate::check::{Rejection, RejectionKind};
use crate::faults::{Fault, default_errmsg};
use dingtalk_openapi_runtime::operation::{Envelope, OperationInfo, Returns};

/// The header v1.0 answers carry their request id in.
pub(crate) const REQUEST_ID_HEADER: &str = "x-acs-request-id";

/// A fresh request id: `mock` and 12 hex digits, unique within the process.
pub(crate) fn request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    // Spread the counter so that neighbouring ids do not look alike.
    format!(
        "mock{:012x}",
        n.wrapping_mul(0x9E37_79B9_7F4A_7C15) & 0xFFFF_FFFF_FFFF
    )
}

/// A refusal, worded both ways; [`Failure::render`] picks the form the operation uses.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    errcode: i64,
    errmsg: String,
    sub: Option<(String, String)>,
    status: u16,
    code: String,
    /// Answer in v1.0 form even for an oapi operation (an injected HTTP fault).
    http_only: bool,
}

impl Failure {
    /// An oapi errcode with its v1.0 counterpart.
    pub(crate) fn new(errcode: i64, errmsg: impl Into<String>, status: u16, code: &str) -> Failure {
        Failure {
            errcode,
            errmsg: errmsg.into(),
            sub: None,
            status,
            code: code.to_owned(),
            http_only: false,
        }
    }

    /// Adds an oapi `sub_code` and `sub_msg`.
    pub(crate) fn with_sub(mut self, sub_code: &str, sub_msg: &str) -> Failure {
        self.sub = Some((sub_code.to_owned(), sub_msg.to_owned()));
        self
    }

    /// A required parameter is missing.
    pub(crate) fn missing(field: &str) -> Failure {
        Failure::new(40035, format!("缺少参数 {field}"), 400, "MissingParameter")
    }

    /// A parameter is invalid; the message names the field and the broken limit.
    pub(crate) fn invalid(field: &str, problem: &str) -> Failure {
        let text = if field.is_empty() {
            format!("不合法的参数: {problem}")
        } else {
            format!("不合法的参数 {field}: {problem}")
        };
        Failure::new(40035, text, 400, "InvalidParameter")
    }

    /// The typed check refused the request.
    pub(crate) fn rejected(rejection: &Rejection) -> Failure {
        match rejection.kind {
            RejectionKind::Missing if rejection.field.is_empty() => Failure::new(
                40035,
                format!("缺少参数: {}", rejection.message),
                400,
                "MissingParameter",
            ),
            RejectionKind::Missing => Failure::missing(&rejection.field),
            _ => Failure::invalid(&rejection.field, &rejection.message),
        }
    }

    /// A typed answer that would not serialize (the generated response types always do).
    pub(crate) fn internal(problem: &str) -> Failure {
        Failure::new(-1, format!("系统繁忙: {problem}"), 500, "systemError")
    }

    /// A POST body that is not sent as JSON.
    pub(crate) fn content_type() -> Failure {
        Failure::new(
            43004,
            "无效的HTTP HEADER Content-Type, 需要 application/json",
            415,
            "UnsupportedMediaType",
        )
    }

    /// An upload whose body is not `multipart/form-data`.
    pub(crate) fn form_content_type() -> Failure {
        Failure::new(
            43004,
            "无效的HTTP HEADER Content-Type, 需要 multipart/form-data",
            415,
            "UnsupportedMediaType",
        )
    }

    /// A `media_id` the media store does not hold.
    pub(crate) fn unknown_media(field: &str, media_id: &str) -> Failure {
        Failure::new(
            40007,
            format!("不合法的媒体文件id {field}: {media_id}"),
            400,
            "InvalidParameter.MediaId",
        )
    }

    /// The right path with the wrong method.
    pub(crate) fn method(expected: &str) -> Failure {
        let (errcode, errmsg) = if expected == "GET" {
            (43001, "需要GET请求")
        } else {
            (43002, "需要POST请求")
        };
        Failure::new(errcode, errmsg, 405, "MethodNotAllowed")
    }

    /// An injected fault of the errcode or HTTP kind.
    pub(crate) fn from_fault(fault: &Fault) -> Option<Failure> {
        match fault {
            Fault::Errcode {
                errcode,
                sub_code,
                errmsg,
            } => {
                let (status, code) = http_counterpart(*errcode, sub_code.as_deref());
                let errmsg = if errmsg.is_empty() {
                    default_errmsg(*errcode).to_owned()
                } else {
                    errmsg.clone()
                };
                let mut failure = Failure::new(*errcode, errmsg, status, &code);
                if let Some(sub) = sub_code {
                    failure.sub = Some((
                        sub.clone(),
                        default_errmsg(sub.parse().unwrap_or(0)).to_owned(),
                    ));
                }
                Some(failure)
            }
            Fault::Http {
                status,
                code,
                message,
            } => {
                let mut failure = Failure::new(0, message.clone(), *status, code);
                failure.http_only = true;
                Some(failure)
            }
            _ => None,
        }
    }

    /// The answer, in the form `envelope` uses.
    pub(crate) fn render(&self, envelope: Envelope) -> Response {
        let id = request_id();
        match envelope {
            Envelope::Errcode if !self.http_only => {
                let mut body = json!({"errcode": self.errcode, "errmsg": self.errmsg});
                if let (Some((sub_code, sub_msg)), Value::Object(map)) = (&self.sub, &mut body) {
                    map.insert("sub_code".into(), sub_code.clone().into());
                    map.insert("sub_msg".into(), sub_msg.clone().into());
                    map.insert(
                        "errmsg".into(),
                        format!("{}[subcode={sub_code},submsg={sub_msg}]", self.errmsg).into(),
                    );
                }
                if let Value::Object(map) = &mut body {
                    map.insert("request_id".into(), id.clone().into());
                }
                json_response(StatusCode::OK, &body, Some(&id))
            }
            _ => {
                let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
                let message = match &self.sub {
                    Some((_, sub_msg)) => sub_msg.clone(),
                    None => self.errmsg.clone(),
                };
                let body = json!({"code": self.code, "message": message, "requestid": id});
                json_response(status, &body, Some(&id))
            }
        }
    }
}

/// A typed answer (a generated response type) as the JSON the envelope is filled into.
pub(crate) fn to_json(answer: &impl Serialize) -> Result<Value, Failure> {
    serde_json::to_value(answer).map_err(|e| Failure::internal(&e.to_string()))
}

/// The v1.0 status and code that stand for an oapi errcode.
fn http_counterpart(errcode: i64, sub_code: Option<&str>) -> (u16, String) {
    let (status, code) = match (errcode, sub_code) {
        (-1 | 15, _) => (500, "systemError"),
        (90018, _) => (403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"),
        (90002, _) => (403, "Forbidden.AccessDenied.QpsLimitForApi"),
        (90020, _) => (403, "Forbidden.AccessDenied.ApiCountLimitForOrg"),
        (40014 | 42001 | 40001 | 33001, _) | (88, Some("40014")) => (400, "InvalidAuthentication"),
        _ => return (400, errcode.to_string()),
    };
    (status, code.to_owned())
}

/// A success: the operation's answer with the envelope filled in (`errcode` 0, `errmsg` "ok",
/// a fresh `request_id`, `success` true where the answer has that field), or for v1.0 the bare
/// body with an `x-acs-request-id` header.
pub(crate) fn success(envelope: Envelope, mut body: Value) -> Response {
    let id = request_id();
    if envelope == Envelope::Errcode
        && let Value::Object(map) = &mut body
    {
        map.insert("errcode".into(), 0.into());
        map.insert("errmsg".into(), "ok".into());
        map.insert("request_id".into(), id.clone().into());
        if map.contains_key("success") {
            map.insert("success".into(), true.into());
        }
    }
    json_response(StatusCode::OK, &body, Some(&id))
}

/// The success of an operation, in the shape its `returns` says: the answer as [`success`]
/// words it (an array, a boolean or any other JSON the example holds is sent as it is: only an
/// object takes the errcode envelope's fields), or for [`Returns::Empty`] under the bare
/// envelope HTTP 200 with no body but the `x-acs-request-id` header. (An errcode operation
/// that returns nothing still answers its envelope, `{errcode: 0, ...}`, the success signal.)
pub(crate) fn returned(info: &OperationInfo, body: Value) -> Response {
    match (info.returns, info.envelope) {
        (Returns::Empty, Envelope::Bare) => {
            let mut response = Response::new(Body::empty());
            if let Ok(value) = HeaderValue::from_str(&request_id()) {
                response.headers_mut().insert(REQUEST_ID_HEADER, value);
            }
            response
        }
        (Returns::Empty, Envelope::Errcode) => success(info.envelope, json!({})),
        _ => success(info.envelope, body),
    }
}

/// An HTTP 404 for a path no operation has.
pub(crate) fn not_found(path: &str) -> Response {
    let id = request_id();
    if path.starts_with("/v1.0/") {
        let body =
            json!({"code": "NotFound", "message": format!("no such API: {path}"), "requestid": id});
        json_response(StatusCode::NOT_FOUND, &body, Some(&id))
    } else {
        let body = json!({"errcode": 404, "errmsg": format!("请求的URI地址不存在: {path}"), "request_id": id});
        json_response(StatusCode::NOT_FOUND, &body, Some(&id))
    }
}

/// Splits `request` and reads its body, at most `max` bytes within `limit`; otherwise the
/// answer to send instead (413, or 408 and the connection closed).
pub(crate) async fn read_request(
    request: axum::extract::Request,
    max: usize,
    limit: Duration,
) -> Result<(axum::http::request::Parts, Bytes), Response> {
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(limit, axum::body::to_bytes(body, max)).await {
        Ok(Ok(body)) => Ok((parts, body)),
        Ok(Err(_)) => Err(too_large(max)),
        Err(_) => Err(read_timeout(limit)),
    }
}

/// HTTP 413 for a body larger than the fake reads (`limit` bytes), or one that broke off.
pub(crate) fn too_large(limit: usize) -> Response {
    let id = request_id();
    let message = format!("the request body could not be read whole (at most {limit} bytes)");
    let body = json!({"code": "RequestEntityTooLarge", "message": message, "requestid": id});
    json_response(StatusCode::PAYLOAD_TOO_LARGE, &body, Some(&id))
}

/// HTTP 408 for a body that did not arrive within `limit`; the connection is closed after it.
pub(crate) fn read_timeout(limit: Duration) -> Response {
    let id = request_id();
    let message = format!(
        "the request body did not arrive within {} ms",
        limit.as_millis()
    );
    let body = json!({"code": "RequestTimeout", "message": message, "requestid": id});
    let mut response = json_response(StatusCode::REQUEST_TIMEOUT, &body, Some(&id));
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A JSON answer, with the request id header when given.
pub(crate) fn json_response(
    status: StatusCode,
    body: &Value,
    request_id: Option<&str>,
) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    if let Some(value) = request_id.and_then(|id| HeaderValue::from_str(id).ok()) {
        headers.insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// The answer of a [`Fault::Malformed`]: JSON that stops half-way.
pub(crate) fn malformed() -> Response {
    let mut response = Response::new(Body::from(r#"{"errcode":0,"errmsg":"ok","result":{"id":"#));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    response
}

/// The answer of a [`Fault::Html`]: the kind of page DingTalk's gateway shows a banned IP.
pub(crate) fn html() -> Response {
    const PAGE: &str = "<!DOCTYPE html><html><head><title>访问受限</title></head><body>\
        <h1>Access Denied</h1><p>您的IP访问过于频繁，已被限制访问。</p></body></html>";
    let mut response = Response::new(Body::from(PAGE));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html;charset=utf-8"),
    );
    response
}

/// The answer of a [`Fault::Truncated`]: headers that promise more body than is sent, then the
/// connection closes.
pub(crate) fn truncated() -> Response {
    const PART: &str = r#"{"errcode":0,"errmsg":"ok","result":"#;
    let stream = futures_util::stream::unfold(0u8, |step| async move {
        match step {
            0 => Some((Ok(Bytes::from_static(PART.as_bytes())), 1)),
            1 => {
                // Let the first part reach the client before the connection breaks.
                tokio::time::sleep(Duration::from_millis(50)).await;
                Some((
                    Err(std::io::Error::new(
                        std::io::ErrorKind::BrokenPipe,
                        "mock fault: truncated",
                    )),
                    2,
                ))
            }
            _ => None,
        }
    });
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(PART.len() + 4096));
    response
}
