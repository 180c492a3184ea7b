//! Every message type on the wire exactly as DingTalk expects it, signed and unsigned; a robot on
//! an app client; a robot client refusing other operations; and a fresh signature per attempt.

use std::time::Duration;

use dingtalk_openapi::blackboard::BlackboardCategoryListRequest;
use dingtalk_openapi::robot::*;
use dingtalk_openapi::{Client, ClientBuilder, Error};
use serde_json::{Value, json};

use crate::server::{SECRET, Seen, Server, TOKEN, check_wire, webhook};

/// Every message type, with the exact body DingTalk expects for it.
fn messages() -> Vec<(&'static str, RobotSendRequest, Value)> {
    vec![
        (
            "text with at",
            RobotSendRequest::new(RobotText::new("我就是我, @user123 是不一样的烟火")).at(
                RobotAt::new()
                    .at_mobiles(["150XXXXXXXX"])
                    .at_user_ids(["user123"])
                    .is_at_all(false),
            ),
            json!({
                "msgtype": "text",
                "text": {"content": "我就是我, @user123 是不一样的烟火"},
                "at": {"atMobiles": ["150XXXXXXXX"], "atUserIds": ["user123"], "isAtAll": false}
            }),
        ),
        (
            "link",
            RobotSendRequest::new(
                RobotLink::new(RobotLinkRequired {
                    title: "时代的火车向前开".into(),
                    text: "这个即将发布的新版本".into(),
                    message_url: "https://www.dingtalk.com/s?a=1&b=2".into(),
                })
                .pic_url("https://img.example.com/a.png"),
            ),
            json!({
                "msgtype": "link",
                "link": {
                    "title": "时代的火车向前开",
                    "text": "这个即将发布的新版本",
                    "messageUrl": "https://www.dingtalk.com/s?a=1&b=2",
                    "picUrl": "https://img.example.com/a.png"
                }
            }),
        ),
        (
            "markdown with at",
            RobotSendRequest::new(RobotMarkdown::new(RobotMarkdownRequired {
                title: "杭州天气".into(),
                text: "#### 杭州天气 @150XXXXXXXX\n> 9度，西北风1级".into(),
            }))
            .at(RobotAt::new().at_mobiles(["150XXXXXXXX"]).is_at_all(true)),
            json!({
                "msgtype": "markdown",
                "markdown": {"title": "杭州天气", "text": "#### 杭州天气 @150XXXXXXXX\n> 9度，西北风1级"},
                "at": {"atMobiles": ["150XXXXXXXX"], "isAtAll": true}
            }),
        ),
        (
            "actionCard with one button",
            RobotSendRequest::new(
                RobotActionCard::new(RobotActionCardRequired {
                    title: "乔布斯 20 年前想打造一间苹果咖啡厅".into(),
                    text: "![screenshot](https://img.example.com/b.png)".into(),
                })
                .btn_orientation(RobotBtnOrientation::Vertical)
                .single_title("阅读全文")
                .single_url("https://www.dingtalk.com/")
                .hide_avatar(RobotHideAvatar::Hide),
            ),
            json!({
                "msgtype": "actionCard",
                "actionCard": {
                    "title": "乔布斯 20 年前想打造一间苹果咖啡厅",
                    "text": "![screenshot](https://img.example.com/b.png)",
                    "btnOrientation": "0",
                    "singleTitle": "阅读全文",
                    "singleURL": "https://www.dingtalk.com/",
                    "hideAvatar": "1"
                }
            }),
        ),
        (
            "actionCard with buttons",
            RobotSendRequest::new(
                RobotActionCard::new(RobotActionCardRequired {
                    title: "标题".into(),
                    text: "正文".into(),
                })
                .btn_orientation(RobotBtnOrientation::Horizontal)
                .btns([
                    RobotActionCardButton::new(RobotActionCardButtonRequired {
                        title: "内容不错".into(),
                        action_url: "https://www.dingtalk.com/yes".into(),
                    }),
                    RobotActionCardButton::new(RobotActionCardButtonRequired {
                        title: "不感兴趣".into(),
                        action_url: "https://www.dingtalk.com/no".into(),
                    }),
                ])
                .hide_avatar(RobotHideAvatar::Show),
            ),
            json!({
                "msgtype": "actionCard",
                "actionCard": {
                    "title": "标题",
                    "text": "正文",
                    "btnOrientation": "1",
                    "btns": [
                        {"title": "内容不错", "actionURL": "https://www.dingtalk.com/yes"},
                        {"title": "不感兴趣", "actionURL": "https://www.dingtalk.com/no"}
                    ],
                    "hideAvatar": "0"
                }
            }),
        ),
        (
            "feedCard",
            RobotSendRequest::new(RobotFeedCard::new([
                RobotFeedCardLink::new(RobotFeedCardLinkRequired {
                    title: "时代的火车向前开1".into(),
                    message_url: "https://www.dingtalk.com/1".into(),
                    pic_url: "https://img.example.com/1.png".into(),
                }),
                RobotFeedCardLink::new(RobotFeedCardLinkRequired {
                    title: "时代的火车向前开2".into(),
                    message_url: "https://www.dingtalk.com/2".into(),
                    pic_url: "https://img.example.com/2.png".into(),
                }),
            ])),
            json!({
                "msgtype": "feedCard",
                "feedCard": {"links": [
                    {
                        "title": "时代的火车向前开1",
                        "messageURL": "https://www.dingtalk.com/1",
                        "picURL": "https://img.example.com/1.png"
                    },
                    {
                        "title": "时代的火车向前开2",
                        "messageURL": "https://www.dingtalk.com/2",
                        "picURL": "https://img.example.com/2.png"
                    }
                ]}
            }),
        ),
    ]
}

#[tokio::test]
async fn every_message_type_reaches_the_wire_exactly_signed_and_unsigned() {
    let server = Server::start().await;
    for signed in [false, true] {
        server.clear();
        let client = Client::for_robot(webhook(&server, signed)).expect("robot client");
        let messages = messages();
        for (name, request, _) in &messages {
            let response = client
                .robot()
                .send(request.clone())
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(response.errcode, Some(0));
        }
        let seen = server.seen();
        assert_eq!(seen.len(), messages.len());
        for (seen, (name, _, expected)) in seen.iter().zip(&messages) {
            check_wire(seen, signed);
            assert_eq!(&seen.json(), expected, "{name} (signed: {signed})");
        }
    }
}

#[tokio::test]
async fn a_robot_on_an_app_client_goes_to_the_oapi_base_url() {
    let server = Server::start().await;
    let client = Client::builder()
        .oapi_base_url(&server.base)
        .robot_webhook(
            RobotWebhook::new(TOKEN)
                .expect("token")
                .with_secret(SECRET)
                .expect("secret"),
        )
        .build()
        .expect("client");
    client
        .robot()
        .send(RobotSendRequest::new(RobotText::new("hi")))
        .await
        .expect("sent");
    let [seen] = <[Seen; 1]>::try_from(server.seen()).expect("one request");
    check_wire(&seen, true);
}

#[tokio::test]
async fn a_robot_client_refuses_other_operations_without_sending() {
    let server = Server::start().await;
    let client = Client::for_robot(webhook(&server, false)).expect("robot client");
    let error = client
        .blackboard()
        .category_list(BlackboardCategoryListRequest::new("manager01"))
        .await
        .expect_err("not a robot operation");
    assert!(
        matches!(&error, Error::Config(m) if m.contains("blackboard.category.list") && m.contains("for_robot")),
        "{error}"
    );
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn each_attempt_is_signed_afresh() {
    let server = Server::start().await;
    // System busy: the one robot answer that is retried.
    server.reply_next(json!({"errcode": -1, "errmsg": "系统繁忙"}));
    let client = ClientBuilder::for_robot(webhook(&server, true))
        .retry_base_delay(Duration::from_millis(40))
        .build()
        .expect("robot client");
    client
        .robot()
        .send(RobotSendRequest::new(RobotText::new("retried")))
        .await
        .expect("sent on the second attempt");
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let first = check_wire(&seen[0], true).expect("signed");
    let second = check_wire(&seen[1], true).expect("signed");
    assert!(second > first, "the retry reused timestamp {first}");
    assert_ne!(seen[0].raw_value("sign"), seen[1].raw_value("sign"));
}
