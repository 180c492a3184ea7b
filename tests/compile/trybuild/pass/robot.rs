// `robot.send` with each of the five message types, and `at`, the way a user would.

use dingtalk_openapi::operation::Operation;
use dingtalk_openapi::robot::*;
use dingtalk_openapi::{Client, Error};

fn text() -> RobotSendRequest {
    RobotSendRequest::new(RobotMessage::Text(RobotText::new(
        "我就是我, @user123 是不一样的烟火",
    )))
    .at(RobotAt::new()
        .at_mobiles(vec!["150XXXXXXXX".to_owned()])
        .at_user_ids(vec!["user123".to_owned()])
        .is_at_all(false))
}

fn link() -> RobotSendRequest {
    RobotSendRequest::new(
        RobotLink::new(RobotLinkRequired {
            title: "时代的火车向前开".into(),
            text: "这个即将发布的新版本".into(),
            message_url: "https://www.dingtalk.com/".into(),
        })
        .pic_url("https://img.example.com/a.png"),
    )
}

fn markdown() -> RobotSendRequest {
    RobotSendRequest::new(RobotMarkdown::new(RobotMarkdownRequired {
        title: "杭州天气".into(),
        text: "#### 杭州天气 @user123\n> 9度".into(),
    }))
    .at(RobotAt::new().at_user_ids(vec!["user123".to_owned()]))
}

fn action_card_single() -> RobotSendRequest {
    RobotSendRequest::new(RobotMessage::ActionCard(
        RobotActionCard::new(RobotActionCardRequired {
            title: "乔布斯 20 年前想打造一间苹果咖啡厅".into(),
            text: "![screenshot](https://img.example.com/b.png)".into(),
        })
        .btn_orientation(RobotBtnOrientation::Vertical)
        .single_title("阅读全文")
        .single_url("https://www.dingtalk.com/")
        .hide_avatar(RobotHideAvatar::Hide),
    ))
    .at(RobotAt::new().is_at_all(true))
}

fn action_card_buttons() -> RobotSendRequest {
    RobotSendRequest::new(RobotMessage::ActionCard(
        RobotActionCard::new(RobotActionCardRequired {
            title: "标题".into(),
            text: "正文".into(),
        })
        .btn_orientation(RobotBtnOrientation::Horizontal)
        .btns(vec![
            RobotActionCardButton::new(RobotActionCardButtonRequired {
                title: "内容不错".into(),
                action_url: "https://www.dingtalk.com/".into(),
            }),
            RobotActionCardButton::new(RobotActionCardButtonRequired {
                title: "不感兴趣".into(),
                action_url: "https://www.dingtalk.com/".into(),
            }),
        ])
        .hide_avatar(RobotHideAvatar::Unknown("2".to_owned())),
    ))
}

fn feed_card() -> RobotSendRequest {
    RobotSendRequest::new(RobotMessage::FeedCard(RobotFeedCard::new(vec![
        RobotFeedCardLink::new(RobotFeedCardLinkRequired {
            title: "时代的火车向前开1".into(),
            message_url: "https://www.dingtalk.com/".into(),
            pic_url: "https://img.example.com/1.png".into(),
        }),
        RobotFeedCardLink::new(RobotFeedCardLinkRequired {
            title: "时代的火车向前开2".into(),
            message_url: "https://www.dingtalk.com/".into(),
            pic_url: "https://img.example.com/2.png".into(),
        }),
    ])))
}

#[allow(dead_code)]
async fn calls(client: &Client) -> Result<(), Error> {
    let robot = client.robot();
    for request in [
        text(),
        link(),
        markdown(),
        action_card_single(),
        action_card_buttons(),
        feed_card(),
    ] {
        let response: RobotSendResponse = robot.send(request).await?;
        let _: Option<i64> = response.errcode;
    }
    Ok(())
}

#[allow(dead_code)]
fn robot_client() -> Result<Client, Error> {
    Client::builder()
        .robot_token("robot-access-token")
        .robot_secret("SEC-robot-secret")
        .build()
}

fn main() {
    let all = [
        text(),
        link(),
        markdown(),
        action_card_single(),
        action_card_buttons(),
        feed_card(),
    ];
    for request in &all {
        request.validate().unwrap();
    }

    let kinds: Vec<String> = all
        .iter()
        .map(|r| {
            serde_json::to_value(r).unwrap()["msgtype"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "text",
            "link",
            "markdown",
            "actionCard",
            "actionCard",
            "feedCard"
        ]
    );

    let json = serde_json::to_value(text()).unwrap();
    assert_eq!(json["text"]["content"], "我就是我, @user123 是不一样的烟火");
    assert_eq!(json["at"]["atUserIds"][0], "user123");
    assert_eq!(json["at"]["isAtAll"], false);
    let json = serde_json::to_value(action_card_single()).unwrap();
    assert_eq!(json["actionCard"]["singleURL"], "https://www.dingtalk.com/");
    assert_eq!(json["actionCard"]["btnOrientation"], "0");
    assert_eq!(json["actionCard"]["hideAvatar"], "1");
    let json = serde_json::to_value(feed_card()).unwrap();
    assert_eq!(
        json["feedCard"]["links"][1]["picURL"],
        "https://img.example.com/2.png"
    );
}
