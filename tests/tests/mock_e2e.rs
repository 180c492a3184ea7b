//! Every generated operation through the typed [`Client`] against the built-in fake
//! (`dingtalk_openapi_fake`), and each injected fault as the typed [`Error`] it becomes.
//!
//! The operations are reached through `operations()` and `visit_operation`, so an operation added
//! to the spec is covered without touching this file: its documented example request is sent and
//! must succeed (the fake seeds the ids and credentials the examples name).

use std::time::Duration;

use dingtalk_openapi::{Client, ClientBuilder, Error, RateLimit, operations};
use dingtalk_openapi_fake::{Fault, MockServer};

type Outcome = Result<(), Error>;

async fn start() -> MockServer {
    MockServer::builder(dingtalk_openapi_fake::operations())
        .start()
        .await
        .expect("start the fake")
}

/// A client aimed at the fake, with its app and robot credentials.
fn builder(server: &MockServer) -> ClientBuilder {
    tests::fake_client(server)
}

/// Calls operation `id` with its example request.
async fn call(client: &Client, id: &str) -> Outcome {
    tests::call_example(client, id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn every_operation_succeeds_with_its_documented_example() {
    let server = start().await;
    let client = builder(&server).build().expect("client");
    assert_eq!(
        dingtalk_openapi_fake::operations().len(),
        operations().len(),
        "the fake knows every operation"
    );
    let mut failures = Vec::new();
    for op in operations() {
        if let Err(error) = call(&client, op.id).await {
            failures.push(format!("{}: {error}", op.id));
        }
        assert!(
            server.faults().calls(op.id) > 0,
            "{} reached the fake",
            op.id
        );
    }
    assert!(
        failures.is_empty(),
        "operations that failed against the fake:\n{}",
        failures.join("\n")
    );
    // One token for every call that needs one: the client caches it, the fake keeps it valid.
    let fetched = server.faults().calls("gettoken");
    assert!(
        fetched <= 2,
        "gettoken called {fetched} times (once by the client, once as an operation)"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn faults_become_the_documented_error_variants() {
    let server = start().await;
    let client = builder(&server)
        .max_retries(0)
        .timeout(Duration::from_millis(500))
        .build()
        .expect("client");
    let faults = server.faults();
    let oapi = "blackboard.listids";
    let v1 = "hrm.employees.dismissions";

    faults.push_for(oapi, Fault::errcode(-1));
    let e = call(&client, oapi).await.expect_err("busy");
    assert!(
        matches!(e, Error::Api { errcode: -1, .. }) && e.is_retryable(),
        "{e:?}"
    );

    faults.push_for(oapi, Fault::errcode_with_sub_code(15, "isp.-1"));
    let e = call(&client, oapi).await.expect_err("busy");
    assert!(
        matches!(e, Error::Api { errcode: 15, .. }) && e.is_retryable(),
        "{e:?}"
    );
    assert!(e.request_id().is_some(), "{e:?}");

    for (code, limit) in [
        (90018, RateLimit::PerAppQps),
        (90002, RateLimit::GlobalQps),
        (90020, RateLimit::MonthlyQuota),
    ] {
        faults.push_for(oapi, Fault::errcode(code));
        let e = call(&client, oapi).await.expect_err("rate limited");
        assert!(
            matches!(e, Error::RateLimited { limit: l, errcode: Some(c), .. } if l == limit && c == code),
            "{e:?}"
        );
        faults.push_for(v1, Fault::errcode(code));
        let e = call(&client, v1).await.expect_err("rate limited");
        assert!(
            matches!(e, Error::RateLimited { limit: l, status: Some(403), .. } if l == limit),
            "{e:?}"
        );
    }

    faults.push_for("robot.send", Fault::errcode(660026));
    let e = call(&client, "robot.send").await.expect_err("robot limit");
    assert!(
        matches!(
            e,
            Error::RateLimited {
                limit: RateLimit::Robot,
                ..
            }
        ),
        "{e:?}"
    );

    faults.push_for(oapi, Fault::http(503, "systemError"));
    let e = call(&client, oapi).await.expect_err("503");
    assert!(matches!(e, Error::Http { status: 503, .. }), "{e:?}");
    faults.push_for(v1, Fault::http(400, "InvalidParameter"));
    let e = call(&client, v1).await.expect_err("400");
    assert!(
        matches!(&e, Error::Http { status: 400, code, .. } if code == "InvalidParameter"),
        "{e:?}"
    );

    faults.push_for(oapi, Fault::Delay(Duration::from_secs(2)));
    let e = call(&client, oapi).await.expect_err("slow");
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");

    for fault in [Fault::Malformed, Fault::Html] {
        faults.push_for(oapi, fault.clone());
        let e = call(&client, oapi).await.expect_err("undecodable");
        assert!(
            matches!(e, Error::Decode { status: 200, .. }),
            "{fault:?}: {e:?}"
        );
    }
    for fault in [Fault::Truncated, Fault::Reset] {
        faults.push_for(oapi, fault.clone());
        let e = call(&client, oapi).await.expect_err("broken connection");
        assert!(matches!(e, Error::Transport { .. }), "{fault:?}: {e:?}");
    }

    // A rejected token is replaced once, then the call goes through.
    let before = faults.calls("gettoken");
    faults.push_for(oapi, Fault::errcode_with_sub_code(88, "40014"));
    call(&client, oapi)
        .await
        .expect("the client fetches a new token and calls again");
    assert_eq!(faults.calls("gettoken"), before + 1);
    faults.expire_tokens();
    call(&client, v1)
        .await
        .expect("an expired token is replaced on v1.0 too");

    // A failing token endpoint fails the call as Error::Token.
    let fresh = builder(&server).max_retries(0).build().expect("client");
    faults.push_for("gettoken", Fault::errcode(-1));
    let e = call(&fresh, oapi).await.expect_err("no token");
    assert!(
        matches!(e, Error::Token { .. }) && e.errcode() == Some(-1),
        "{e:?}"
    );
    let wrong = builder(&server)
        .app_credentials("mock-app-key", "wrong")
        .build()
        .expect("client");
    let e = call(&wrong, oapi).await.expect_err("bad secret");
    assert!(
        matches!(e, Error::Token { .. }) && e.errcode() == Some(40096),
        "{e:?}"
    );

    assert_eq!(faults.pending(), 0);
    // With retries on, transient faults pass unnoticed.
    let retrying = builder(&server).build().expect("client");
    for fault in [
        Fault::errcode(-1),
        Fault::http(500, "systemError"),
        Fault::Reset,
        Fault::errcode(90018),
    ] {
        faults.push_for(oapi, fault.clone());
        call(&retrying, oapi)
            .await
            .unwrap_or_else(|e| panic!("{fault:?} was not retried: {e}"));
    }
    server.shutdown().await;
}
