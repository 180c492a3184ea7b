//! The path every request takes through the fake:
//!
//! record → route (by path and method) → count → queued fault → method → credential → content
//! type → "the request" rebuilt from body (JSON, a whole-body value, or a form for topapi
//! operations), path, query and headers (the `params` module) → typed check → the operation's
//! answer, in the shape its `returns` says.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::response::Response;
use serde_json::Value;

use crate::answer::{self, Failure};
use crate::auth;
use crate::check::check_coercing;
use crate::conn::Connection;
use crate::control;
use crate::faults::Fault;
use crate::multipart::{self, Form};
use crate::params;
use crate::record::{RecordedRequest, parse_query};
use crate::route::Routed;
use crate::shared::{Incoming, Shared, lock};
use crate::tokens::{self, TokenEndpoint};
use dingtalk_openapi_runtime::operation::{Auth, Envelope, Host, Method as OpMethod};

/// The largest body the fake reads, in bytes.
const MAX_BODY: usize = 4 << 20;
/// The largest body of an upload operation (a 20 MB file and its form), in bytes.
const MAX_UPLOAD_BODY: usize = 24 << 20;

/// Where a request goes.
enum Route<'a> {
    Token(TokenEndpoint),
    Operation(Routed<'a>),
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
    let max_body = match shared.route(request.method(), request.uri().path()) {
        Some(routed) if routed.op.info().is_multipart() => MAX_UPLOAD_BODY,
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
        None => shared
            .route(&incoming.method, &incoming.path)
            .map(Route::Operation),
    };
    let id = match &route {
        Some(Route::Token(endpoint)) => Some(endpoint.id()),
        Some(Route::Operation(routed)) => Some(routed.op.info().id),
        None => None,
    };
    shared.recorder.push(record(&incoming, id));
    let (Some(route), Some(id)) = (route, id) else {
        return answer::not_found(&incoming.path);
    };
    let envelope = match &route {
        Route::Token(endpoint) => endpoint.envelope(),
        Route::Operation(routed) => routed.op.info().envelope,
    };
    if let Some(faulted) = count_and_fault(&shared, &connection, id, envelope).await {
        return faulted;
    }
    match route {
        Route::Token(endpoint) => tokens::answer(&shared, endpoint, &incoming),
        Route::Operation(routed) => {
            let info = routed.op.info();
            let form = if info.is_multipart() && incoming.method != Method::GET {
                match multipart::read(info, &incoming).await {
                    Ok(form) => Some(form),
                    Err(failure) => return failure.render(info.envelope),
                }
            } else {
                None
            };
            match serve_operation(&shared, &routed, &incoming, form.as_ref()) {
                Ok(body) => answer::returned(info, body),
                Err(failure) => failure.render(info.envelope),
            }
        }
    }
}

/// Counts a call of operation `id` and plays the fault queued for it, if any: the answer to
/// send instead of the operation's own, or `None` to go on (no fault, or a delay served).
pub(crate) async fn count_and_fault(
    shared: &Shared,
    connection: &Connection,
    id: &str,
    envelope: Envelope,
) -> Option<Response> {
    shared.faults.count_call(id);
    match shared.faults.take(id)? {
        Fault::Delay(delay) => {
            tokio::time::sleep(delay).await;
            None
        }
        Fault::Reset => {
            connection.abort();
            Some(Response::new(Body::empty()))
        }
        Fault::Malformed => Some(answer::malformed()),
        Fault::Html => Some(answer::html()),
        Fault::Truncated => Some(answer::truncated()),
        other => Failure::from_fault(&other).map(|failure| failure.render(envelope)),
    }
}

/// The checks and the answer of one operation.
fn serve_operation(
    shared: &Shared,
    routed: &Routed<'_>,
    request: &Incoming,
    form: Option<&Form>,
) -> Result<Value, Failure> {
    let op = routed.op;
    let info = op.info();
    let expected = method(info.method);
    if request.method != expected {
        return Err(Failure::method(expected.as_str()));
    }
    auth::check(shared, info, request)?;
    let (params, coercible) = params::rebuild(info, request, form, &routed.path_params)?;
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

/// What the recorder keeps of a request routed to `operation`.
pub(crate) fn record(request: &Incoming, operation: Option<&'static str>) -> RecordedRequest {
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
