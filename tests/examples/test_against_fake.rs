//! Testing an integration offline: the fake DingTalk on 127.0.0.1, a client aimed at it, and
//! an injected fault.
//!
//! ```sh
//! cargo run -p tests --example test_against_fake
//! ```
//!
//! In a test suite the same lines go in a `#[tokio::test]`. The fake checks every request as
//! DingTalk would (credential, required fields, types, documented limits), answers with the
//! documented example, keeps blackboards and reports as state, and injects the faults a test
//! asks for.

use dingtalk_openapi::blackboard::{
    BlackboardCreateRequest, BlackboardCreateVo, BlackboardCreateVoRequired,
    BlackboardListtoptenRequest, BlackboardReceiver,
};
use dingtalk_openapi::{Client, Error, RateLimit};
use dingtalk_openapi_fake::{Fault, MockServer, operations};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = MockServer::builder(operations()).start().await?;
    let client = Client::builder()
        .app_credentials(fake.app_key(), fake.app_secret())
        .oapi_base_url(fake.base_url())
        .api_base_url(fake.base_url())
        .build()?;

    // The code under test creates a blackboard; the fake keeps it.
    let vo = BlackboardCreateVo::new(BlackboardCreateVoRequired {
        operation_userid: "manager01".into(),
        blackboard_receiver: BlackboardReceiver::new().userid_list(["manager02"]),
        title: "入职须知".into(),
        content: "欢迎加入".into(),
    });
    client
        .blackboard()
        .create(BlackboardCreateRequest::new(vo))
        .await?;
    let seen = client
        .blackboard()
        .listtopten(BlackboardListtoptenRequest::new("manager02"))
        .await?;
    let titles: Vec<String> = seen
        .blackboard_list
        .unwrap_or_default()
        .into_iter()
        .filter_map(|b| b.title)
        .collect();
    assert!(titles.iter().any(|t| t == "入职须知"), "{titles:?}");

    // DingTalk's monthly quota: the caller gets a typed error and must not retry.
    fake.faults()
        .push_for("blackboard.listtopten", Fault::errcode(90020));
    let err = client
        .blackboard()
        .listtopten(BlackboardListtoptenRequest::new("manager02"))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::RateLimited {
            limit: RateLimit::MonthlyQuota,
            ..
        }
    ));
    println!("ok: {} requests reached the fake", fake.requests().len());
    fake.shutdown().await;
    Ok(())
}
