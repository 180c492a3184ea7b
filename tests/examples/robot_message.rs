//! A group robot message: markdown, with someone @-mentioned.
//!
//! ```sh
//! DINGTALK_ROBOT_WEBHOOK='https://oapi.dingtalk.com/robot/send?access_token=…' \
//! DINGTALK_ROBOT_SECRET=SEC… cargo run -p tests --example robot_message -- 150XXXXXXXX
//! ```
//!
//! A robot needs no app: the client is built from the webhook URL and, when the robot has the
//! "加签" security setting, its `SEC…` secret (each message is then signed afresh). The client
//! keeps to the robot's 20 messages a minute; a refusal is a typed error.

use std::process::ExitCode;

use dingtalk_openapi::Client;
use dingtalk_openapi::robot::{
    RobotAt, RobotMarkdown, RobotMarkdownRequired, RobotSendRequest, RobotWebhook,
};

fn client() -> Result<Client, Box<dyn std::error::Error>> {
    let url = std::env::var("DINGTALK_ROBOT_WEBHOOK")
        .map_err(|_| "set DINGTALK_ROBOT_WEBHOOK to the robot's webhook URL")?;
    let mut webhook = RobotWebhook::from_url(&url)?;
    if let Ok(secret) = std::env::var("DINGTALK_ROBOT_SECRET") {
        webhook = webhook.with_secret(secret)?;
    }
    Ok(Client::for_robot(webhook)?)
}

#[tokio::main]
async fn main() -> ExitCode {
    let mobile = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "150XXXXXXXX".into());
    let client = match client() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let text = format!("#### 部署完成\n\n版本 1.2.3 已上线 @{mobile}");
    let request = RobotSendRequest::new(RobotMarkdown::new(RobotMarkdownRequired {
        title: "部署完成".into(),
        text,
    }))
    .at(RobotAt::new().at_mobiles([mobile]));
    match client.robot().send(request).await {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            // `e.robot_kind()` tells a signature, keyword or IP-list refusal from a rate limit.
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
