//! Fault injection through [`Faults`](dingtalk_openapi_fake::Faults): one-shot faults, targeted
//! or not, each kind as it reaches the wire, and the call counters (the delay on tokio's paused
//! clock).

use std::time::Duration;

use dingtalk_openapi::auth::GettokenRequest;
use dingtalk_openapi::blackboard::BlackboardListidsRequest;
use dingtalk_openapi::hrm::HrmEmployeesDismissionsRequest;
use dingtalk_openapi::operation::Operation;
use dingtalk_openapi_fake::Fault;
use serde_json::{Value, json};

use crate::common::{Answer, Fake, builder, json, listids};

const LISTIDS: &str = BlackboardListidsRequest::INFO.id;
const DISMISSIONS: &str = HrmEmployeesDismissionsRequest::INFO.id;

/// A started fake and a token for it.
async fn start() -> (Fake, String) {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    (fake, token)
}

/// `blackboard.listids`, the oapi operation the faults are aimed at.
async fn call(fake: &Fake, token: &str) -> Answer {
    fake.call(token, &listids(1, 3)).await
}

/// The same call, raw: for the faults that leave no answer to read.
async fn send(fake: &Fake, token: &str) -> reqwest::Result<reqwest::Response> {
    fake.http
        .post(fake.at(
            BlackboardListidsRequest::INFO.path,
            &[("access_token", token)],
        ))
        .json(&json(&listids(1, 3)))
        .send()
        .await
}

#[tokio::test]
async fn an_untargeted_fault_skips_the_token_endpoints_and_applies_once() {
    let (fake, token) = start().await;
    let faults = fake.server.faults();
    faults.push(Fault::errcode(-1));
    assert_eq!(faults.pending(), 1);
    // The client's own token fetch does not swallow it.
    assert_eq!(fake.token().await, token);
    assert_eq!(call(&fake, &token).await.errcode(), -1);
    assert_eq!(faults.pending(), 0);
    assert_eq!(
        call(&fake, &token).await.errcode(),
        0,
        "faults are one-shot"
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn an_errcode_fault_carries_its_sub_code() {
    let (fake, token) = start().await;
    fake.server
        .faults()
        .push_for(LISTIDS, Fault::errcode_with_sub_code(15, "isp.-1"));
    let busy = call(&fake, &token).await;
    assert_eq!((busy.errcode(), busy.sub_code().as_str()), (15, "isp.-1"));
    fake.server.shutdown().await;
}

#[tokio::test]
async fn targeted_faults_wait_for_their_operation_and_speak_v1_there() {
    let (fake, token) = start().await;
    fake.server
        .faults()
        .push_for(DISMISSIONS, Fault::errcode(90018));
    assert_eq!(call(&fake, &token).await.errcode(), 0);
    let limited = fake
        .call(&token, &HrmEmployeesDismissionsRequest::new())
        .await;
    assert_eq!(
        (limited.status, limited.code().as_str()),
        (403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi")
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn an_http_fault_answers_its_status_on_an_oapi_operation() {
    let (fake, token) = start().await;
    fake.server.faults().push(Fault::http(503, "systemError"));
    let unavailable = call(&fake, &token).await;
    assert_eq!(
        (unavailable.status, unavailable.code().as_str()),
        (503, "systemError")
    );
    fake.server.shutdown().await;
}

/// On tokio's paused clock, which the fake sleeps on: the delay is exact, whatever the machine is
/// doing, and the test does not wait for it.
#[tokio::test(start_paused = true)]
async fn a_delay_fault_answers_normally_after_the_delay() {
    let fake = Fake::start_timerless(builder()).await;
    let token = fake.token().await;
    fake.server
        .faults()
        .push(Fault::Delay(Duration::from_millis(300)));
    let started = tokio::time::Instant::now();
    assert_eq!(call(&fake, &token).await.errcode(), 0);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_millis(305),
        "{elapsed:?}"
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_malformed_fault_is_json_that_stops_half_way() {
    let (fake, token) = start().await;
    fake.server.faults().push(Fault::Malformed);
    let malformed = call(&fake, &token).await;
    assert_eq!(malformed.status, 200);
    assert!(
        malformed.content_type.starts_with("application/json"),
        "{malformed:?}"
    );
    assert!(
        serde_json::from_str::<Value>(&malformed.text).is_err(),
        "{}",
        malformed.text
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn an_html_fault_is_a_gateway_page() {
    let (fake, token) = start().await;
    fake.server.faults().push(Fault::Html);
    let html = call(&fake, &token).await;
    assert!(
        html.content_type.starts_with("text/html") && html.text.contains("<html>"),
        "{html:?}"
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_truncated_fault_cuts_the_body_short() {
    let (fake, token) = start().await;
    fake.server.faults().push(Fault::Truncated);
    let response = send(&fake, &token).await.expect("headers arrive");
    let body = response.bytes().await;
    assert!(body.is_err(), "the body is cut short: {body:?}");
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_reset_fault_drops_the_connection_and_the_server_goes_on() {
    let (fake, token) = start().await;
    fake.server.faults().push(Fault::Reset);
    let reset = send(&fake, &token).await;
    assert!(reset.is_err(), "no answer: {reset:?}");
    assert_eq!(
        call(&fake, &token).await.errcode(),
        0,
        "the server still works"
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_fault_targeted_at_a_token_endpoint_fails_the_token_fetch() {
    let (fake, _) = start().await;
    fake.server
        .faults()
        .push_for(GettokenRequest::INFO.id, Fault::errcode(-1));
    let refused = fake
        .call("", &GettokenRequest::new().appkey("a").appsecret("b"))
        .await;
    assert_eq!(refused.errcode(), -1, "{}", refused.text);
    assert_eq!(fake.server.faults().pending(), 0);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn calls_count_every_request_to_an_operation_faulted_refused_or_answered() {
    let (fake, token) = start().await;
    let faults = fake.server.faults();
    for fault in [
        Fault::errcode(-1),
        Fault::http(503, "systemError"),
        Fault::Malformed,
        Fault::Html,
        Fault::Truncated,
        Fault::Reset,
    ] {
        faults.push_for(LISTIDS, fault);
        if let Ok(response) = send(&fake, &token).await {
            let _ = response.bytes().await;
        }
    }
    assert_eq!(faults.pending(), 0);
    assert_eq!(call(&fake, &token).await.errcode(), 0);
    let refused = fake
        .oapi(
            BlackboardListidsRequest::INFO.path,
            &token,
            &json!({"query_request": {}}),
        )
        .await;
    assert_eq!(refused.errcode(), 40035);
    assert_eq!(fake.call("nope", &listids(1, 3)).await.errcode(), 88);
    fake.call(&token, &HrmEmployeesDismissionsRequest::new())
        .await;
    assert_eq!(faults.calls(LISTIDS), 9);
    assert_eq!(faults.calls(DISMISSIONS), 1);
    assert_eq!(
        faults.all_calls(),
        vec![
            (LISTIDS.to_owned(), 9),
            (GettokenRequest::INFO.id.to_owned(), 1),
            (DISMISSIONS.to_owned(), 1),
        ]
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_fault_for_an_unknown_operation_is_not_queued_and_try_push_for_says_why() {
    let (fake, token) = start().await;
    let faults = fake.server.faults();
    let unknown = faults
        .try_push_for("blackboard.listid", Fault::errcode(-1))
        .expect_err("no such operation");
    assert_eq!(
        (unknown.id.as_str(), unknown.nearest),
        ("blackboard.listid", Some(LISTIDS))
    );
    assert!(
        unknown
            .to_string()
            .contains("did you mean `blackboard.listids`"),
        "{unknown}"
    );
    // `push_for` does not panic either: it logs and queues nothing.
    faults.push_for("no.such.operation", Fault::errcode(-1));
    assert_eq!(faults.pending(), 0);
    assert_eq!(faults.try_push_for(LISTIDS, Fault::errcode(-1)), Ok(()));
    assert_eq!(call(&fake, &token).await.errcode(), -1);
    fake.server.shutdown().await;
}

/// A delay too long for the clock does not overflow: the request waits (here, an hour of tokio's
/// paused clock), and the fake serves other requests meanwhile.
#[tokio::test(start_paused = true)]
async fn a_delay_too_long_for_the_clock_waits_without_overflow() {
    let fake = Fake::start_timerless(builder()).await;
    let token = fake.token().await;
    fake.server.faults().push(Fault::Delay(Duration::MAX));
    let waiting = tokio::time::timeout(Duration::from_secs(3600), call(&fake, &token)).await;
    assert!(waiting.is_err(), "still waiting: {waiting:?}");
    assert_eq!(fake.server.faults().pending(), 0, "the delay was taken");
    assert_eq!(call(&fake, &token).await.errcode(), 0);
    fake.server.shutdown().await;
}
