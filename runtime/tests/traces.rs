//! What the client writes to `tracing`: the `dingtalk.call` span with its fields and the
//! OpenTelemetry HTTP client attributes, and never a secret (nor in `Debug`, `Display` or errors).
//!
//! Its own test binary with one global subscriber: a thread-local subscriber races with calls
//! made on other test threads for the interest of a callsite, and may miss a span.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "runtime/common/mod.rs"]
#[allow(dead_code)]
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde_json::json;
use tracing_subscriber::fmt::format::FmtSpan;

use common::*;

/// Everything every test of this binary traced, from the process's one subscriber.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the global subscriber on first use and gives its capture.
fn capture() -> Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE
        .get_or_init(|| {
            let capture = Capture::default();
            let writer = capture.clone();
            tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_span_events(FmtSpan::CLOSE)
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .init();
            capture
        })
        .clone()
}

#[tokio::test]
async fn no_secret_or_token_in_debug_display_errors_or_traces() {
    let capture = capture();

    let fake = Fake::start().await;
    fake.on("/topapi/wire/query_only", |_| Reply::ok());
    fake.on("/v1.0/test/ping", |_| Reply::json(json!({})));
    fake.on("/robot/send", |_| Reply::json(json!({"errcode": 0})));
    fake.on("/topapi/blackboard/create", |_| {
        Reply::raw(500, "text/html", "<html>oops</html>")
    });
    fake.on("/sso/gettoken", |_| {
        Reply::json(json!({"errcode": 40089, "errmsg": "invalid corpid or corpsecret"}))
    });
    let builder = fake
        .builder()
        .robot_token(ROBOT_TOKEN)
        .max_retries(1)
        .timeout(Duration::from_millis(200));
    #[cfg(feature = "robot")]
    let builder = builder.robot_secret(ROBOT_SECRET);
    let mut shown = vec![format!("{builder:?}")];
    let client = builder.build().unwrap();
    shown.push(format!("{client:?}"));

    // Successes, a replaced token, retried and final failures, a timeout, a secret parameter.
    client
        .execute(QueryOnly { userid: "u".into() })
        .await
        .unwrap();
    client.execute(Ping { n: 1 }).await.unwrap();
    fake.revoke(&issued_token(1));
    client
        .execute(QueryOnly { userid: "u".into() })
        .await
        .unwrap();
    let _ = client.execute(robot_text("hello")).await;
    fake.script(
        "/v1.0/test/ping",
        [Reply::json(json!({})).after(Duration::from_millis(500))],
    );
    fake.script(
        "/v1.0/test/ping",
        [Reply::json(json!({})).after(Duration::from_millis(500))],
    );
    let mut errors = vec![client.execute(Ping { n: 2 }).await.unwrap_err()];
    errors.push(client.execute(blackboard_create()).await.unwrap_err());
    errors.push(
        client
            .execute(SsoGetToken {
                corpid: "c".into(),
                corpsecret: APP_SECRET.into(),
            })
            .await
            .unwrap_err(),
    );
    // A transport error on a URL that carries the token.
    let (addr, _) = raw_server(|stream| async move { drop(stream) }).await;
    let broken = fake
        .builder()
        .oapi_base_url(format!("http://{addr}"))
        .max_retries(0)
        .build()
        .unwrap();
    errors.push(
        broken
            .execute(QueryOnly { userid: "u".into() })
            .await
            .unwrap_err(),
    );
    // A token endpoint failure.
    fake.script(
        "/gettoken",
        [Reply::errcode(40096, "invalid appkey or appsecret")],
    );
    let fresh = fake.builder().build().unwrap();
    errors.push(fresh.execute(Ping { n: 3 }).await.unwrap_err());
    shown.push(format!("{:?}", client.access_token().await.unwrap()));

    for error in &errors {
        shown.push(error.to_string());
        shown.push(format!("{error:?}"));
        shown.push(format!("{error:#?}"));
        let mut source = std::error::Error::source(error);
        while let Some(s) = source {
            shown.push(s.to_string());
            shown.push(format!("{s:?}"));
            source = s.source();
        }
    }
    let traces = capture.text();
    assert!(traces.contains("dingtalk.call"), "{traces}");
    assert!(
        traces.contains("operation=\"test.ping\"") || traces.contains("operation=test.ping"),
        "{traces}"
    );
    assert!(traces.contains("latency_ms"), "{traces}");
    assert!(traces.contains("attempt=2"), "{traces}");
    assert!(traces.contains("errcode=40096"), "{traces}");
    shown.push(traces);

    let all = shown.join("\n");
    for secret in [APP_SECRET, ROBOT_TOKEN, ROBOT_SECRET, "c0ffee"] {
        assert!(!all.contains(secret), "`{secret}` leaked:\n{all}");
    }
    assert!(
        !all.contains("access_token="),
        "a URL with a token leaked:\n{all}"
    );
}

#[tokio::test]
async fn no_signature_of_a_signed_query_in_debug_errors_or_traces() {
    use dingtalk_openapi_runtime::login::sns_signature;
    use dingtalk_openapi_runtime::primitives::Secret;
    use dingtalk_openapi_runtime::time::ManualClock;
    use std::time::SystemTime;

    let capture = capture();
    let at = 1_712_345_678_901_i64;
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_millis(at as u64));
    let signature = sns_signature(&Secret::new(APP_SECRET), at);
    // Every way the signature could be written: as made, percent-encoded, and its body alone.
    let encoded = signature
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let bare = signature.trim_end_matches('=').to_owned();

    let fake = Fake::start().await;
    fake.on("/sns/getuserinfo_bycode", |_| {
        Reply::errcode(853004, "signature参数错误")
    });
    let builder = fake.builder().time_source(clock).max_retries(1);
    let mut shown = vec![format!("{builder:?}")];
    let client = builder.build().unwrap();
    shown.push(format!("{client:?}"));
    let mut errors = vec![
        client
            .execute(SnsByCode {
                tmp_auth_code: "c".into(),
            })
            .await
            .unwrap_err(),
    ];
    assert_eq!(errors[0].errcode(), Some(853004), "{:?}", errors[0]);
    // A transport error on a URL that carries the signature.
    let (addr, _) = raw_server(|stream| async move { drop(stream) }).await;
    let broken = fake
        .builder()
        .oapi_base_url(format!("http://{addr}"))
        .time_source(ManualClock::new(
            SystemTime::UNIX_EPOCH + Duration::from_millis(at as u64),
        ))
        .max_retries(0)
        .build()
        .unwrap();
    errors.push(
        broken
            .execute(SnsByCode {
                tmp_auth_code: "c".into(),
            })
            .await
            .unwrap_err(),
    );
    for error in &errors {
        shown.push(error.to_string());
        shown.push(format!("{error:?}"));
        shown.push(format!("{error:#?}"));
        let mut source = std::error::Error::source(error);
        while let Some(s) = source {
            shown.push(s.to_string());
            shown.push(format!("{s:?}"));
            source = s.source();
        }
    }
    let traces = capture.text();
    assert!(
        traces.contains("operation=\"sns.getuserinfo_bycode\""),
        "{traces}"
    );
    shown.push(traces);
    let all = shown.join("\n");
    for secret in [APP_SECRET, &signature, &encoded, &bare] {
        assert!(!all.contains(secret), "`{secret}` leaked:\n{all}");
    }
    assert!(
        !all.contains("signature="),
        "a URL with a signature leaked:\n{all}"
    );
    // The fake did receive it: the test would see a leak.
    let sent = fake.requests_to("/sns/getuserinfo_bycode");
    assert!(
        sent[0].raw_query.contains(&encoded),
        "{}",
        sent[0].raw_query
    );
}

#[tokio::test]
async fn the_call_span_carries_opentelemetry_http_attributes_and_no_token() {
    let capture = capture();
    let fake = Fake::start().await;
    fake.on("/topapi/wire/query_only", |_| Reply::ok());
    fake.on("/v1.0/test/ping", |_| {
        Reply::json(json!({"code": "Forbidden", "message": "no"})).status(403)
    });
    let client = fake.client();

    client
        .execute(QueryOnly { userid: "u".into() })
        .await
        .unwrap();
    let _ = client.execute(Ping { n: 1 }).await.unwrap_err();

    let out = capture.text();
    // Other tests of this binary trace into the same capture: look for a span that has it all.
    let close: Vec<&str> = out.lines().filter(|l| l.contains("close")).collect();
    let has_span = |attributes: &[&str]| {
        close
            .iter()
            .any(|l| attributes.iter().all(|a| l.contains(a)))
    };
    let query = [
        "operation=\"wire.query_only\"",
        "http.request.method=\"POST\"",
        "url.path=\"/topapi/wire/query_only\"",
        "server.address=\"127.0.0.1\"",
        "http.response.status_code=200",
    ];
    assert!(has_span(&query), "no span with {query:?} in:\n{out}");
    let ping = [
        "operation=\"test.ping\"",
        "url.path=\"/v1.0/test/ping\"",
        "http.response.status_code=403",
    ];
    assert!(has_span(&ping), "no span with {ping:?} in:\n{out}");
    assert!(!out.contains(&issued_token(1)), "{out}");
}

/// `GET /v1.0/trace/users/{userId}`: a path template.
#[derive(Debug, serde::Serialize)]
struct TracedUser {
    #[serde(rename = "userId")]
    user_id: &'static str,
}

static TRACED_USER: dingtalk_openapi_runtime::operation::OperationInfo = {
    use dingtalk_openapi_runtime::operation::{
        Auth, Envelope, Host, Location, Method, OperationInfo, Param,
    };
    OperationInfo::new(
        "trace.user",
        Method::Get,
        Host::Api,
        "/v1.0/trace/users/{userId}",
    )
    .with_auth(Auth::HeaderToken)
    .with_envelope(Envelope::Bare)
    .with_params(&[Param::new("userId", Location::Path, true, false)])
};

impl dingtalk_openapi_runtime::operation::Operation for TracedUser {
    type Response = serde_json::Value;
    const INFO: &'static dingtalk_openapi_runtime::operation::OperationInfo = &TRACED_USER;
}

#[tokio::test]
async fn the_call_span_records_the_filled_path() {
    let capture = capture();
    let fake = Fake::start().await;
    fake.on("/v1.0/trace/users/u%207", |_| Reply::json(json!({})));
    let client = fake.client();
    client.execute(TracedUser { user_id: "u 7" }).await.unwrap();

    let out = capture.text();
    let span = [
        "operation=\"trace.user\"",
        "url.path=\"/v1.0/trace/users/u%207\"",
        "http.response.status_code=200",
    ];
    assert!(
        out.lines()
            .any(|l| l.contains("close") && span.iter().all(|a| l.contains(a))),
        "no span with {span:?} in:\n{out}"
    );
    assert!(!out.contains("{userId}"), "{out}");
    assert!(!out.contains(&issued_token(1)), "{out}");
}
