//! Interceptors see and adjust every attempt (token requests and retries included), stop a call
//! with a typed error, and hear about failed attempts.

use std::sync::{Arc, Mutex};

use dingtalk_openapi_runtime::hooks::{AttemptInfo, HttpResponse, Interceptor, redacted_url};
use dingtalk_openapi_runtime::{BoxError, Error};
use serde_json::json;

use crate::common::*;

/// What one interceptor saw, in order.
#[derive(Debug, Default, Clone)]
struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// Adds a header, records what it sees, and can be told to refuse or to rewrite answers.
#[derive(Debug, Default)]
struct Probe {
    seen: Seen,
    refuse_requests: bool,
    rewrite_body: Option<&'static str>,
}

impl Interceptor for Probe {
    fn on_request(
        &self,
        attempt: &AttemptInfo,
        request: &mut reqwest::Request,
    ) -> Result<(), BoxError> {
        self.seen.0.lock().unwrap().push(format!(
            "request {} #{} {} {}",
            attempt.operation_id(),
            attempt.attempt,
            attempt.method().as_str(),
            redacted_url(request.url())
        ));
        if self.refuse_requests {
            return Err("the egress budget is spent".into());
        }
        request
            .headers_mut()
            .insert("x-egress-team", "payroll".parse()?);
        Ok(())
    }

    fn on_response(
        &self,
        attempt: &AttemptInfo,
        response: &mut HttpResponse,
    ) -> Result<(), BoxError> {
        self.seen.0.lock().unwrap().push(format!(
            "response {} #{} {}",
            attempt.operation_id(),
            attempt.attempt,
            response.status()
        ));
        if let Some(body) = self
            .rewrite_body
            .filter(|_| attempt.operation_id() != "gettoken")
        {
            *response.body_mut() = body.as_bytes().to_vec();
            response.set_status(200);
        }
        Ok(())
    }

    fn on_failure(&self, attempt: &AttemptInfo, error: &Error) {
        self.seen.0.lock().unwrap().push(format!(
            "failure {} #{} {}",
            attempt.operation_id(),
            attempt.attempt,
            error.is_retryable()
        ));
    }
}

#[tokio::test]
async fn every_attempt_passes_the_interceptor_token_requests_and_retries_included() {
    let fake = Fake::start().await;
    fake.script("/topapi/wire/query_only", [Reply::errcode(-1, "系统繁忙")]);
    fake.on("/topapi/wire/query_only", |_| Reply::ok());
    let probe = Probe::default();
    let seen = probe.seen.clone();
    let client = fake.builder().interceptor(probe).build().unwrap();

    client
        .execute(QueryOnly { userid: "u".into() })
        .await
        .unwrap();

    let lines = seen.lines();
    assert_eq!(
        lines
            .iter()
            .map(|l| &l[..l.find(" http").unwrap_or(l.len())])
            .collect::<Vec<_>>(),
        [
            "request gettoken #1 GET",
            "response gettoken #1 200",
            "request wire.query_only #1 POST",
            "response wire.query_only #1 200",
            "request wire.query_only #2 POST",
            "response wire.query_only #2 200",
        ],
        "{lines:#?}"
    );
    // What the interceptor logged is safe: the AppSecret and the token are masked.
    let joined = lines.join("\n");
    assert!(
        !joined.contains(APP_SECRET) && !joined.contains(&issued_token(1)),
        "{joined}"
    );
    assert!(joined.contains("access_token=***") || joined.contains("access_token=%2A%2A%2A"));
    // The header the interceptor added reached the server, on both attempts.
    let sent = fake.requests_to("/topapi/wire/query_only");
    assert_eq!(sent.len(), 2);
    for r in &sent {
        assert_eq!(r.header("x-egress-team"), Some("payroll"));
    }
}

#[tokio::test]
async fn an_interceptor_error_stops_the_call_before_anything_is_sent() {
    let fake = Fake::start().await;
    fake.on("/v1.0/test/ping", |_| Reply::json(json!({})));
    let probe = Probe {
        refuse_requests: true,
        ..Probe::default()
    };
    let seen = probe.seen.clone();
    let client = fake.builder().interceptor(probe).build().unwrap();

    let error = client.execute(Ping { n: 1 }).await.unwrap_err();

    // The token request was refused first; the call reports it through the token error.
    assert!(!error.is_retryable(), "{error}");
    assert!(
        error.to_string().contains("stopped by an interceptor"),
        "{error}"
    );
    assert!(error.to_string().contains("egress budget"), "{error}");
    assert_eq!(fake.token_requests(), 0);
    assert!(fake.requests().is_empty());
    assert_eq!(seen.lines().len(), 1, "not retried: {:?}", seen.lines());
}

#[tokio::test]
async fn a_refused_call_is_an_interceptor_error_naming_the_operation() {
    /// Refuses every operation but the token endpoint.
    #[derive(Debug)]
    struct OnlyTokens;
    impl Interceptor for OnlyTokens {
        fn on_request(&self, a: &AttemptInfo, _: &mut reqwest::Request) -> Result<(), BoxError> {
            if a.operation_id() == "gettoken" {
                Ok(())
            } else {
                Err("not on the allow list".into())
            }
        }
    }
    let fake = Fake::start().await;
    fake.on("/v1.0/test/ping", |_| Reply::json(json!({})));
    let client = fake.builder().interceptor(OnlyTokens).build().unwrap();

    let error = client.execute(Ping { n: 1 }).await.unwrap_err();

    assert!(
        matches!(
            error,
            Error::Interceptor {
                operation: "test.ping",
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.operation(), Some("test.ping"));
    assert_eq!(fake.token_requests(), 1);
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn an_interceptor_may_rewrite_the_answer_before_it_is_read() {
    let fake = Fake::start().await;
    fake.on("/topapi/wire/query_only", |_| {
        Reply::raw(502, "text/html", "<html>gateway</html>")
    });
    let probe = Probe {
        rewrite_body: Some(r#"{"errcode":0,"result":{"rewritten":true}}"#),
        ..Probe::default()
    };
    let client = fake.builder().interceptor(probe).build().unwrap();

    let answer = client
        .execute(QueryOnly { userid: "u".into() })
        .await
        .unwrap();

    assert_eq!(answer["result"]["rewritten"], true);
}

#[tokio::test]
async fn interceptors_hear_of_attempts_that_got_no_answer() {
    // A port with nothing listening: every attempt fails to connect.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let probe = Probe::default();
    let seen = probe.seen.clone();
    let client = dingtalk_openapi_runtime::Client::builder()
        .oapi_base_url(&url)
        .api_base_url(&url)
        .no_rate_limit()
        .max_retries(1)
        .retry_base_delay(std::time::Duration::from_millis(1))
        .interceptor(probe)
        .build()
        .unwrap();

    let error = client
        .execute(SsoGetToken {
            corpid: "c".into(),
            corpsecret: "s".into(),
        })
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    let failures: Vec<String> = seen
        .lines()
        .into_iter()
        .filter(|l| l.starts_with("failure"))
        .collect();
    assert_eq!(
        failures,
        [
            "failure sso.gettoken #1 true",
            "failure sso.gettoken #2 true"
        ]
    );
}

/// Adds a header, or checks that the one before it did.
#[derive(Debug)]
struct Stamp {
    name: &'static str,
    expect_before: Option<&'static str>,
    seen: Seen,
}

impl Interceptor for Stamp {
    fn on_request(&self, _: &AttemptInfo, request: &mut reqwest::Request) -> Result<(), BoxError> {
        if let Some(before) = self.expect_before {
            let present = request.headers().contains_key(before);
            self.seen
                .0
                .lock()
                .unwrap()
                .push(format!("{} saw {before}: {present}", self.name));
        }
        request.headers_mut().insert(self.name, "1".parse()?);
        Ok(())
    }

    fn on_response(&self, _: &AttemptInfo, _: &mut HttpResponse) -> Result<(), BoxError> {
        self.seen
            .0
            .lock()
            .unwrap()
            .push(format!("{} response", self.name));
        Ok(())
    }
}

#[tokio::test]
async fn interceptors_run_in_the_order_they_were_added() {
    let fake = Fake::start().await;
    fake.on("/topapi/wire/query_only", |_| Reply::ok());
    let seen = Seen::default();
    let client = fake
        .builder()
        .interceptor(Stamp {
            name: "x-first",
            expect_before: None,
            seen: seen.clone(),
        })
        .interceptor(Stamp {
            name: "x-second",
            expect_before: Some("x-first"),
            seen: seen.clone(),
        })
        .build()
        .unwrap();

    client
        .execute(QueryOnly { userid: "u".into() })
        .await
        .unwrap();

    // The token request, then the call: first then second, each time.
    assert_eq!(
        seen.lines(),
        [
            "x-second saw x-first: true",
            "x-first response",
            "x-second response",
            "x-second saw x-first: true",
            "x-first response",
            "x-second response",
        ]
    );
    let sent = &fake.requests_to("/topapi/wire/query_only")[0];
    assert_eq!(sent.header("x-first"), Some("1"));
    assert_eq!(sent.header("x-second"), Some("1"));
}
