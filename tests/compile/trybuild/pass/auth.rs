// Every `auth` operation, built and called the way a user would.

use dingtalk_openapi::auth::*;
use dingtalk_openapi::operation::Operation;
use dingtalk_openapi::primitives::{EpochMillis, Secret};
use dingtalk_openapi::{Client, Error};

fn gettoken_by_app() -> GettokenRequest {
    GettokenRequest::new()
        .appkey("dingeqqpkv3xxxx")
        .appsecret("GT-lsu-taDAsTsxxxx")
}

fn gettoken_by_corp() -> GettokenRequest {
    GettokenRequest::new()
        .corpid("ding1234")
        .corpsecret(Secret::new(String::from("corp-secret")))
}

fn sso_gettoken() -> SsoGettokenRequest {
    SsoGettokenRequest::new("ding1234", "2pyNWs4LV8Ge2Mxxxx")
}

fn oauth2_access_token() -> Oauth2AccessTokenRequest {
    Oauth2AccessTokenRequest::new("dingeqqpkv3xxxxxx", Secret::new("GT-lsu-taDAxxxsTsxxxx"))
}

fn isv_corp_token() -> ServiceGetCorpTokenRequest {
    // The caller signs: Base64(HmacSHA256(timestamp + "\n" + suiteTicket, suiteSecret)).
    ServiceGetCorpTokenRequest::new(ServiceGetCorpTokenRequestRequired {
        access_key: "suiteqh0ljtdheuee".into(),
        timestamp: EpochMillis::now(),
        suite_ticket: "TestSuiteTicket".into(),
        signature: "c2lnbmF0dXJl".into(),
        auth_corpid: "dingcorp".into(),
    })
}

#[allow(dead_code)]
async fn calls(client: &Client) -> Result<(), Error> {
    let auth = client.auth();

    let token: GettokenResponse = auth.gettoken(gettoken_by_app()).await?;
    let _: Option<&str> = token.access_token.as_ref().map(Secret::expose);
    let _: Option<i64> = token.expires_in;

    let sso: SsoGettokenResponse = auth.sso_gettoken(sso_gettoken()).await?;
    let _: Option<Secret> = sso.access_token;

    let v1: Oauth2AccessTokenResponse = auth.oauth2_access_token(oauth2_access_token()).await?;
    let _: Option<i64> = v1.expire_in;

    let isv: ServiceGetCorpTokenResponse = auth.service_get_corp_token(isv_corp_token()).await?;
    let _: Option<Secret> = isv.access_token;

    // The generic path takes any request.
    let _: GettokenResponse = client.execute(gettoken_by_corp()).await?;
    Ok(())
}

fn main() {
    gettoken_by_app().validate().unwrap();
    gettoken_by_corp().validate().unwrap();
    sso_gettoken().validate().unwrap();
    oauth2_access_token().validate().unwrap();
    isv_corp_token().validate().unwrap();
    // Query parameters and the body travel together in "the request".
    let isv = serde_json::to_value(isv_corp_token()).unwrap();
    assert_eq!(isv["accessKey"], "suiteqh0ljtdheuee");
    assert_eq!(isv["auth_corpid"], "dingcorp");
    assert!(!format!("{:?}", isv_corp_token()).contains("TestSuiteTicket"));

    // Neither credential pair: the `requires_one_of` check refuses it before sending.
    assert!(GettokenRequest::new().validate().is_err());
    assert!(
        GettokenRequest::new()
            .appkey("only-the-key")
            .validate()
            .is_err()
    );

    let json = serde_json::to_value(oauth2_access_token()).unwrap();
    assert_eq!(json["appKey"], "dingeqqpkv3xxxxxx");
    assert_eq!(json["appSecret"], "GT-lsu-taDAxxxsTsxxxx");
    // Secrets never show in Debug.
    assert!(!format!("{:?}", sso_gettoken()).contains("2pyNWs4LV8Ge2Mxxxx"));
    assert_eq!(<SsoGettokenRequest as Operation>::INFO.id, "sso.gettoken");
}
