// The `event_callback` operations, built and called the way a user would; the secret `aes_key`
// has a length limit, which is checked on the secret's text (the generated check once took the
// `Secret` itself and did not compile).

use dingtalk_openapi::event_callback::*;
use dingtalk_openapi::operation::Operation;
use dingtalk_openapi::primitives::Secret;
use dingtalk_openapi::{Client, Error};

const AES_KEY: &str = "1234567890123456789012345678901234567890123";

fn register(aes_key: &str) -> CallBackRegisterCallBackRequest {
    CallBackRegisterCallBackRequest::new(CallBackRegisterCallBackRequestRequired {
        call_back_tag: vec![CallbackTag::UserAddOrg, CallbackTag::UserLeaveOrg],
        token: "123456".into(),
        aes_key: aes_key.into(),
        url: "https://example.com/eventreceive".into(),
    })
}

fn update(aes_key: &str) -> CallBackUpdateCallBackRequest {
    CallBackUpdateCallBackRequest::new(CallBackUpdateCallBackRequestRequired {
        call_back_tag: vec![CallbackTag::UserModifyOrg],
        token: "123456".into(),
        aes_key: aes_key.into(),
        url: "https://example.com/eventreceive".into(),
    })
}

#[allow(dead_code)]
async fn calls(client: &Client) -> Result<(), Error> {
    let callbacks = client.event_callback();
    let _: CallBackRegisterCallBackResponse = callbacks.register(register(AES_KEY)).await?;
    let current: CallBackGetCallBackResponse =
        callbacks.get(CallBackGetCallBackRequest::new()).await?;
    let _: Option<Secret> = current.aes_key;
    let _: CallBackUpdateCallBackResponse = callbacks.update(update(AES_KEY)).await?;
    Ok(())
}

fn main() {
    assert_eq!(AES_KEY.chars().count(), 43);
    register(AES_KEY).validate().unwrap();
    update(AES_KEY).validate().unwrap();

    // 44 characters: refused before sending, naming the field and the limit.
    let long = format!("{AES_KEY}4");
    for err in [
        register(&long).validate().unwrap_err(),
        update(&long).validate().unwrap_err(),
    ] {
        let message = err.to_string();
        assert!(message.contains("aes_key"), "{message}");
        assert!(message.contains("43"), "{message}");
        // The error names the length, never the key.
        assert!(!message.contains(AES_KEY), "{message}");
    }
    // Characters, not bytes: 43 Chinese characters are within the limit.
    register(&"钥".repeat(43)).validate().unwrap();

    // Secrets never show in Debug, yet go on the wire.
    assert!(!format!("{:?}", register(AES_KEY)).contains(AES_KEY));
    let json = serde_json::to_value(register(AES_KEY)).unwrap();
    assert_eq!(json["aes_key"], AES_KEY);
    assert_eq!(
        <CallBackRegisterCallBackRequest as Operation>::INFO.id,
        "call_back.register_call_back"
    );
}
