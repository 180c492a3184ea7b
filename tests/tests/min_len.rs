//! Fewest characters (`min_len`): a value shorter than the documented minimum is refused by the
//! generated `validate()` before anything is sent, and one of the exact length goes through to
//! the fake.

use dingtalk_openapi::Error;
use dingtalk_openapi::event_callback::{
    CallBackRegisterCallBackRequest, CallBackRegisterCallBackRequestRequired, CallbackTag,
};
use dingtalk_openapi::microapp::{MicroappCreateRequest, MicroappCreateRequestRequired};
use dingtalk_openapi::operation::Operation;
use dingtalk_openapi_fake::{MockServer, operations};

const AES_KEY: &str = "1234567890123456789012345678901234567890123";

fn register(aes_key: &str) -> CallBackRegisterCallBackRequest {
    CallBackRegisterCallBackRequest::new(CallBackRegisterCallBackRequestRequired {
        call_back_tag: vec![CallbackTag::UserAddOrg],
        token: "123456".into(),
        aes_key: aes_key.into(),
        url: "https://example.com/callback".into(),
    })
}

#[tokio::test]
async fn a_value_shorter_than_its_minimum_is_refused_before_sending() {
    let server = MockServer::builder(operations())
        .start()
        .await
        .expect("start the fake");
    let client = tests::fake_client(&server).build().expect("client");

    // The aes_key is exactly 43 characters: 42 is refused, naming the field and the minimum,
    // and the key itself (a secret) is not in the message.
    let short = &AES_KEY[..42];
    let error = client
        .event_callback()
        .register(register(short))
        .await
        .expect_err("42 characters");
    let Error::Validation(problem) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(problem.field, "aes_key");
    assert_eq!(
        error.to_string(),
        "call_back.register_call_back: `aes_key` has 42 characters, fewer than the minimum of 43"
    );
    assert!(!format!("{error:?}").contains(short));
    // An application name of 1 to 10 characters: the empty one is refused too.
    let error = client
        .microapp()
        .create(MicroappCreateRequest::new(MicroappCreateRequestRequired {
            app_icon: "@media".into(),
            app_name: "".into(),
            app_desc: "测试使用的应用".into(),
            homepage_url: "https://example.com/".into(),
        }))
        .await
        .expect_err("an empty name");
    assert!(
        matches!(&error, Error::Validation(p) if p.field == "appName"),
        "{error:?}"
    );
    // Nothing reached the fake, not even a token request.
    assert!(server.requests().is_empty(), "{:?}", server.requests());

    // 43 characters, and a one-character name, are sent and accepted.
    client
        .event_callback()
        .register(register(AES_KEY))
        .await
        .expect("43 characters");
    client
        .microapp()
        .create(MicroappCreateRequest::new(MicroappCreateRequestRequired {
            app_icon: "@media".into(),
            app_name: "测".into(),
            app_desc: "测试使用的应用".into(),
            homepage_url: "https://example.com/".into(),
        }))
        .await
        .expect("one character");
    assert_eq!(
        server
            .faults()
            .calls(CallBackRegisterCallBackRequest::INFO.id),
        1
    );
    server.shutdown().await;
}
