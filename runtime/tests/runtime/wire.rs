//! What goes on the wire: method, path, query, headers and body, for each auth style.

use dingtalk_openapi_runtime::Error;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn oapi_post_carries_the_token_in_the_query_and_the_request_as_json() {
    let fake = Fake::start().await;
    fake.on("/topapi/blackboard/create", |_| {
        Reply::json(json!({"errcode": 0, "errmsg": "ok", "result": "bb-1", "success": true, "request_id": "r1"}))
    });
    let client = fake.client();
    let response = client.execute(blackboard_create()).await.unwrap();
    assert_eq!(response.result.as_deref(), Some("bb-1"));
    assert_eq!(response.success, Some(true));

    let [req] = fake.requests().try_into().unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/topapi/blackboard/create");
    assert_eq!(req.raw_query, format!("access_token={}", issued_token(1)));
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert!(
        req.header("user-agent")
            .unwrap()
            .starts_with("dingtalk-openapi/")
    );
    assert_eq!(req.header("x-acs-dingtalk-access-token"), None);
    assert_eq!(
        req.json(),
        json!({"create_request": {"title": "周五团建", "content": "<p>hello</p>", "operation_userid": "manager1", "ding": true}})
    );

    let [token_req] = fake.requests_to("/gettoken").try_into().unwrap();
    assert_eq!(token_req.method, "GET");
    assert_eq!(token_req.query_value("appkey"), Some(APP_KEY));
    assert_eq!(token_req.query_value("appsecret"), Some(APP_SECRET));
}

#[tokio::test]
async fn parameters_go_to_query_header_and_body_as_the_table_says() {
    let fake = Fake::start().await;
    fake.on("/v1.0/wire/mixed", |_| Reply::json(json!({"ok": true})));
    let client = fake.client();
    let request = Mixed {
        union_id: "u 1&x".into(),
        trace: "trace-9".into(),
        dept_list: vec![1, -1],
        is_admin: Some(true),
        limit: None,
    };
    assert!(client.execute(request).await.unwrap().ok);

    let [req] = fake.requests().try_into().unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/v1.0/wire/mixed");
    // No credential in the query of a v1.0 call; unset optional parameters are left out.
    let mut query = req.query.clone();
    query.sort();
    assert_eq!(
        query,
        vec![
            ("isAdmin".into(), "true".into()),
            ("unionId".into(), "u 1&x".into())
        ]
    );
    assert_eq!(req.header("x-acs-trace"), Some("trace-9"));
    assert_eq!(
        req.header("x-acs-dingtalk-access-token"),
        Some(issued_token(1).as_str())
    );
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(req.json(), json!({"deptList": [1, -1]}));
}

#[tokio::test]
async fn get_sends_no_body_and_puts_parameters_in_the_query() {
    let fake = Fake::start().await;
    fake.on("/v1.0/hrm/employees/dismissions", |_| {
        Reply::json(json!({"userIdList": ["a"], "hasMore": false}))
    });
    let client = fake.client();
    let response = client
        .execute(Dismissions {
            next_token: None,
            max_results: 30,
        })
        .await
        .unwrap();
    assert_eq!(response.user_id_list, vec!["a"]);

    let [req] = fake.requests().try_into().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(req.raw_query, "maxResults=30");
    assert!(req.body.is_empty());
    assert_eq!(req.header("content-type"), None);
    assert_eq!(
        req.header("x-acs-dingtalk-access-token"),
        Some(issued_token(1).as_str())
    );
}

#[tokio::test]
async fn post_without_body_parameters_sends_an_empty_object() {
    let fake = Fake::start().await;
    fake.on("/topapi/wire/query_only", |_| Reply::ok());
    let client = fake.client();
    client
        .execute(QueryOnly {
            userid: "u1".into(),
        })
        .await
        .unwrap();

    let [req] = fake.requests().try_into().unwrap();
    assert_eq!(
        req.raw_query,
        format!("access_token={}&userid=u1", issued_token(1))
    );
    assert_eq!(&req.body[..], b"{}");
    assert_eq!(req.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn auth_none_adds_no_credential_and_fetches_no_token() {
    let fake = Fake::start().await;
    fake.on("/sso/gettoken", |_| {
        Reply::json(json!({"errcode": 0, "access_token": "sso-token"}))
    });
    let client = fake.client();
    let response = client
        .execute(SsoGetToken {
            corpid: "corp1".into(),
            corpsecret: "sso secret+/".into(),
        })
        .await
        .unwrap();
    assert_eq!(response.access_token, "sso-token");

    let [req] = fake.requests().try_into().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(
        req.query,
        vec![
            ("corpid".into(), "corp1".into()),
            ("corpsecret".into(), "sso secret+/".into())
        ]
    );
    assert_eq!(req.header("x-acs-dingtalk-access-token"), None);
    assert_eq!(fake.token_requests(), 0);
}

#[tokio::test]
async fn a_request_over_its_limits_is_not_sent() {
    let fake = Fake::start().await;
    let client = fake.client();
    let error = client.execute(report_list(21)).await.unwrap_err();
    let Error::Validation(v) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(v.field, "size");
    assert_eq!(error.operation(), Some("report.list"));
    assert!(
        error.to_string().contains("above the maximum of 20"),
        "{error}"
    );
    assert!(!error.is_retryable());
    assert!(fake.requests().is_empty());
    assert_eq!(fake.token_requests(), 0);
}

#[tokio::test]
async fn a_time_window_ending_before_its_start_is_not_sent() {
    let fake = Fake::start().await;
    let client = fake.client();
    let mut request = report_list(20);
    request.end_time = request.start_time - 86_400_000;
    let error = client.execute(request).await.unwrap_err();
    let Error::Validation(v) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(v.field, "end_time");
    let shown = error.to_string();
    assert!(
        shown.starts_with("report.list: `end_time` is before `start_time`"),
        "{shown}"
    );
    assert!(!error.is_retryable());
    assert!(fake.requests().is_empty());
    assert_eq!(fake.token_requests(), 0);
    // The same window the right way round is sent.
    fake.on("/topapi/report/list", |_| {
        Reply::json(json!({"errcode": 0, "result": {"data_list": [], "has_more": false}}))
    });
    client.execute(report_list(20)).await.unwrap();
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn legacy_corp_credentials_fetch_with_corpid() {
    let fake = Fake::start().await;
    fake.on("/topapi/wire/query_only", |_| Reply::ok());
    let client = fake
        .builder()
        .corp_credentials("dingcorp", "corp-secret")
        .build()
        .unwrap();
    client
        .execute(QueryOnly {
            userid: "u1".into(),
        })
        .await
        .unwrap();
    let [token_req] = fake.requests_to("/gettoken").try_into().unwrap();
    assert_eq!(
        token_req.query,
        vec![
            ("corpid".into(), "dingcorp".into()),
            ("corpsecret".into(), "corp-secret".into())
        ]
    );
}

#[tokio::test]
async fn errcode_may_arrive_as_a_numeric_string() {
    let fake = Fake::start().await;
    fake.script(
        "/topapi/wire/query_only",
        [Reply::json(
            json!({"errcode": "60011", "errmsg": "no permission"}),
        )],
    );
    fake.script(
        "/topapi/wire/query_only",
        [Reply::json(json!({"errcode": "0", "errmsg": "ok"}))],
    );
    let client = fake.client();
    let error = client
        .execute(QueryOnly {
            userid: "u1".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(error.errcode(), Some(60011));
    assert_eq!(
        error.request_id(),
        Some("hdr-req-id"),
        "falls back to the x-acs-request-id header"
    );
    client
        .execute(QueryOnly {
            userid: "u1".into(),
        })
        .await
        .unwrap();
}

#[cfg(feature = "robot")]
#[tokio::test]
async fn robot_without_a_token_is_a_configuration_error() {
    let fake = Fake::start().await;
    let client = fake.client();
    let error = client.execute(robot_text("hi")).await.unwrap_err();
    assert!(
        matches!(error, Error::Config(ref m) if m.contains("DINGTALK_ROBOT_TOKEN")),
        "{error}"
    );
    assert!(fake.requests().is_empty());
}

#[cfg(feature = "robot")]
#[tokio::test]
async fn robot_unsigned_carries_only_its_token() {
    let fake = Fake::start().await;
    fake.on("/robot/send", |_| {
        Reply::json(json!({"errcode": 0, "errmsg": "ok"}))
    });
    let client = fake.builder().robot_token(ROBOT_TOKEN).build().unwrap();
    client.execute(robot_text("hi")).await.unwrap();
    let [req] = fake.requests().try_into().unwrap();
    assert_eq!(req.raw_query, format!("access_token={ROBOT_TOKEN}"));
    assert_eq!(
        req.json(),
        json!({"msgtype": "text", "text": {"content": "hi"}})
    );
    assert_eq!(fake.token_requests(), 0, "the robot needs no app token");
}

#[cfg(feature = "robot")]
#[tokio::test]
async fn robot_limits_are_typed() {
    let fake = Fake::start().await;
    fake.script(
        "/robot/send",
        [Reply::json(
            json!({"errcode": "130101", "errmsg": "send too fast"}),
        )],
    );
    fake.script(
        "/robot/send",
        [Reply::json(
            json!({"errcode": 310000, "errmsg": "sign not match"}),
        )],
    );
    let client = fake.builder().robot_token(ROBOT_TOKEN).build().unwrap();
    let error = client.execute(robot_text("hi")).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::RateLimited {
                limit: dingtalk_openapi_runtime::RateLimit::Robot,
                errcode: Some(130101),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    let error = client.execute(robot_text("hi")).await.unwrap_err();
    assert_eq!(error.errcode(), Some(310000));
    assert_eq!(fake.requests().len(), 2, "neither is retried");
}

#[cfg(feature = "robot")]
#[tokio::test]
async fn robot_bodies_over_20000_bytes_are_not_sent() {
    let fake = Fake::start().await;
    let client = fake.builder().robot_token(ROBOT_TOKEN).build().unwrap();
    let error = client
        .execute(robot_text(&"x".repeat(20_001)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::RobotGuard {
                source: dingtalk_openapi_runtime::robot::RobotError::BodyTooLarge {
                    size: 20_041,
                    limit: 20_000
                },
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.robot_kind(),
        Some(&dingtalk_openapi_runtime::robot::RobotErrorKind::BodyTooLarge)
    );
    assert!(fake.requests().is_empty());
}

#[cfg(feature = "robot")]
#[tokio::test]
async fn robot_signed_requests_are_signed_afresh_and_encoded_once() {
    let fake = Fake::start().await;
    fake.on("/robot/send", |_| {
        Reply::json(json!({"errcode": 0, "errmsg": "ok"}))
    });
    let client = fake
        .builder()
        .robot_token(ROBOT_TOKEN)
        .robot_secret(ROBOT_SECRET)
        .build()
        .unwrap();
    client.execute(robot_text("one")).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    client.execute(robot_text("two")).await.unwrap();

    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    let mut timestamps = Vec::new();
    for req in &requests {
        let names: Vec<&str> = req.query.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["access_token", "timestamp", "sign"]);
        assert_eq!(req.query_value("access_token"), Some(ROBOT_TOKEN));
        let timestamp: i64 = req.query_value("timestamp").unwrap().parse().unwrap();
        let expected = dingtalk_openapi_runtime::robot::sign(ROBOT_SECRET, timestamp);
        // Decoding the query once gives the base64 signature exactly: it was encoded once.
        assert_eq!(req.query_value("sign"), Some(expected.as_str()));
        let raw_sign = req.raw_query.split("&sign=").nth(1).unwrap();
        assert!(!raw_sign.contains(['+', '/', '=']), "{raw_sign}");
        assert!(!raw_sign.contains("%25"), "encoded twice: {raw_sign}");
        timestamps.push(timestamp);
    }
    assert!(
        timestamps[1] > timestamps[0],
        "each request is signed with a fresh timestamp"
    );
}
