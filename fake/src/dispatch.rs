//! The path every request takes through the fake:
//!
//! record → route (by path) → count → queued fault → method → credential → content type →
//! "the request" rebuilt from body (JSON, or a form for topapi operations), query and headers →
//! typed check → the operation's answer.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::response::Response;
use serde_json::{Map, Value};

use crate::answer::{self, Failure};
use crate::auth;
use crate::check::{MockOperation, check_coercing};
use crate::conn::Connection;
use crate::control;
use crate::faults::Fault;
use crate::multipart::{self, Form};
use crate::record::{RecordedRequest, parse_query};
use crate::shared::{Incoming, Shared, lock};
use crate::tokens::{self, TokenEndpoint};
use dingtalk_openapi_runtime::operation::{
    Auth, Host, Location, Method as OpMethod, OperationInfo,
};

/// The largest body the fake reads, in bytes.
const MAX_BODY: usize = 4 << 20;
/// The largest body of an upload operation (a 20 MB file and its form), in bytes.
const MAX_UPLOAD_BODY: usize = 24 << 20;

/// Where a request goes.
enum Route<'a> {
    Token(TokenEndpoint),
    Operation(&'a MockOperation),
}

/// The one handler of the fake's router.
pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(connection): ConnectInfo<Connection>,
    request: Request,
) -> Response {
    // The connection is not idle (nor reading headers) while its request is served.
    let _serving = connection.serving();
    let limit = shared.config.body_read_timeout;
    let max_body = match shared.route(request.uri().path()) {
        Some(op) if op.info().is_multipart() => MAX_UPLOAD_BODY,
        _ => MAX_BODY,
    };
    let (parts, body) = match answer::read_request(request, max_body, limit).await {
        Ok(read) => read,
        Err(refusal) => return refusal,
    };
    let incoming = Incoming {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parse_query(parts.uri.query().unwrap_or_default()),
        headers: parts.headers,
        body,
    };
    if incoming.path.starts_with(control::PREFIX) {
        return control::handle(&shared, &incoming);
    }
    let route = match TokenEndpoint::at(&incoming.path) {
        Some(endpoint) => Some(Route::Token(endpoint)),
        None => shared.route(&incoming.path).map(Route::Operation),
    };
    let id = match &route {
        Some(Route::Token(endpoint)) => Some(endpoint.id()),
        Some(Route::Operation(op)) => Some(op.info().id),
        None => None,
    };
    shared.recorder.push(record(&incoming, id));
    let (Some(route), Some(id)) = (route, id) else {
        return answer::not_found(&incoming.path);
    };
    shared.faults.count_call(id);
    if let Some(fault) = shared.faults.take(id) {
        let envelope = match &route {
            Route::Token(endpoint) => endpoint.envelope(),
            Route::Operation(op) => op.info().envelope,
        };
        match fault {
            Fault::Delay(delay) => tokio::time::sleep(delay).await,
            Fault::Reset => {
                connection.abort();
                return Response::new(Body::empty());
            }
            Fault::Malformed => return answer::malformed(),
            Fault::Html => return answer::html(),
            Fault::Truncated => return answer::truncated(),
            other => {
                if let Some(failure) = Failure::from_fault(&other) {
                    return failure.render(envelope);
                }
            }
        }
    }
    match route {
        Route::Token(endpoint) => tokens::answer(&shared, endpoint, &incoming),
        Route::Operation(op) => {
            let info = op.info();
            let form = if info.is_multipart() && incoming.method != Method::GET {
                match multipart::read(info, &incoming).await {
                    Ok(form) => Some(form),
                    Err(failure) => return failure.render(info.envelope),
                }
            } else {
                None
            };
            match serve_operation(&shared, op, &incoming, form.as_ref()) {
                Ok(body) => answer::success(info.envelope, body),
                Err(failure) => failure.render(info.envelope),
            }
        }
    }
}

/// The checks and the answer of one operation.
fn serve_operation(
    shared: &Shared,
    op: &MockOperation,
    request: &Incoming,
    form: Option<&Form>,
) -> Result<Value, Failure> {
    let info = op.info();
    let expected = method(info.method);
    if request.method != expected {
        return Err(Failure::method(expected.as_str()));
    }
    auth::check(shared, info, request)?;
    let (mut params, mut coercible) = match form {
        Some(form) => form.params()?,
        None => body_params(info, request)?,
    };
    let credentials = auth::credential_names(info.auth);
    for (name, value) in &request.query {
        if credentials.contains(&name.as_str()) || params.contains_key(name) {
            continue;
        }
        params.insert(name.clone(), Value::String(value.clone()));
        coercible.push(name.clone());
    }
    for param in info
        .params
        .iter()
        .filter(|p| p.location == Location::Header)
    {
        if let Some(value) = request.header(param.name) {
            params.insert(param.name.to_owned(), Value::String(value.to_owned()));
            coercible.push(param.name.to_owned());
        }
    }
    let checked = check_coercing(op, params, &coercible).map_err(|r| Failure::rejected(&r))?;
    let answer = {
        let mut state = lock(&shared.state);
        state.check_media_ids(info.id, &checked)?;
        let answer = state.answer(info, &checked)?;
        match form {
            Some(form) => state
                .store_upload(info.id, &checked, &form.files, answer.clone())
                .unwrap_or(answer),
            None => answer,
        }
    };
    if info.auth == Auth::Robot || info.host == Host::Robot {
        auth::record_robot_send(shared, request);
    }
    Ok(answer)
}

/// Whether the operation also takes its parameters as an HTML form: the topapi operations do
/// (DingTalk's own curl examples for them post `application/x-www-form-urlencoded`, the
/// `access_token` among the fields), every other one wants JSON.
pub(crate) fn takes_form(info: &OperationInfo) -> bool {
    info.host == Host::Oapi && info.method == OpMethod::Post && info.path.starts_with("/topapi/")
}

/// "The request" as the body gives it, and the names whose values arrived as text: the JSON
/// object (`{}` when there is no body), or the fields of a form (a topapi operation only; the
/// credential fields are not part of it). Any other body is refused for its content type.
fn body_params(
    info: &OperationInfo,
    request: &Incoming,
) -> Result<(Map<String, Value>, Vec<String>), Failure> {
    if request.body.is_empty() || info.method == OpMethod::Get {
        return Ok((Map::new(), Vec::new()));
    }
    if takes_form(info) && request.is_form() {
        let credentials = auth::credential_names(info.auth);
        let mut params = Map::new();
        let mut coercible = Vec::new();
        for (name, value) in request.form() {
            if credentials.contains(&name.as_str()) || params.contains_key(&name) {
                continue;
            }
            coercible.push(name.clone());
            params.insert(name, Value::String(value));
        }
        return Ok((params, coercible));
    }
    if !request.is_json() {
        return Err(Failure::content_type());
    }
    match serde_json::from_slice::<Value>(&request.body) {
        Ok(Value::Object(map)) => Ok((map, Vec::new())),
        Ok(_) => Err(Failure::invalid("", "the body is not a JSON object")),
        Err(e) => Err(Failure::invalid("", &format!("the body is not JSON: {e}"))),
    }
}

/// The HTTP method of an operation's method.
pub(crate) fn method(method: OpMethod) -> Method {
    match method {
        OpMethod::Get => Method::GET,
        OpMethod::Post => Method::POST,
        OpMethod::Put => Method::PUT,
        OpMethod::Delete => Method::DELETE,
        OpMethod::Patch => Method::PATCH,
    }
}

fn record(request: &Incoming, operation: Option<&'static str>) -> RecordedRequest {
    let headers = request
        .headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    RecordedRequest::new(
        request.method.as_str(),
        &request.path,
        request.query.clone(),
        headers,
        &request.body,
        operation,
    )
}
