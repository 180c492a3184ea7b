//! An echo bot in Stream mode: every text a user sends the robot comes back as a reply.
//!
//! ```sh
//! DINGTALK_APP_KEY=ding… DINGTALK_APP_SECRET=… cargo run -p tests --example echo_bot
//! ```
//!
//! No public URL, certificate or callback crypto is needed: the bot opens one outbound
//! WebSocket (`dingtalk-openapi-stream`), receives robot messages on it, and answers each over
//! the message's `sessionWebhook` while that is valid. The client reconnects by itself, skips
//! redeliveries it has already handled, and acks a message only once its reply went out: a reply
//! that fails leaves the message for a redelivery. Ctrl-C stops taking messages and lets the
//! replies in progress finish. [`echo_bot`] is public so that `tests/tests/stream_echo.rs` runs
//! exactly this code against the fake gateway.

use std::process::ExitCode;

use dingtalk_openapi_stream::{BotMessage, StreamClient, StreamClientBuilder};

/// The reply to one message: its text, quoted back.
pub fn reply_to(message: &BotMessage) -> String {
    match &message.text {
        Some(text) => format!("echo: {}", text.content.trim()),
        None => format!("echo: ({} message)", message.msgtype),
    }
}

/// The bot: a Stream client builder with the echo handler registered. `api_base_url` moves the
/// open endpoint (tests point it at the fake).
pub fn echo_bot(app_key: String, app_secret: String) -> StreamClientBuilder {
    StreamClient::builder(app_key, app_secret).on_bot_message(|message: BotMessage| async move {
        let reply = reply_to(&message);
        tracing::info!(conversation = %message.conversation_id, "replying");
        message.reply_text(reply).await
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let (Ok(key), Ok(secret)) = (
        std::env::var("DINGTALK_APP_KEY"),
        std::env::var("DINGTALK_APP_SECRET"),
    ) else {
        eprintln!("error: set DINGTALK_APP_KEY and DINGTALK_APP_SECRET");
        return ExitCode::from(2);
    };
    let mut builder = echo_bot(key, secret);
    if let Ok(url) = std::env::var("DINGTALK_API_BASE_URL") {
        builder = builder.api_base_url(url);
    }
    let client = match builder.build() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match client.run_until(stop).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
