//! Robot messages (`/v1.0/im/bot/messages/get`) and the reply over their session webhook.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use dingtalk_openapi_runtime::time::TimeSource;
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

use crate::error::ReplyError;
use crate::frame::Headers;

/// The URL a robot message may be answered on for a while. It holds a session token, so its
/// Debug and Display show only the host and path.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SessionWebhook(String);

impl SessionWebhook {
    /// The whole URL, token included: keep it out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SessionWebhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for SessionWebhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("<none>");
        }
        match url::Url::parse(&self.0) {
            Ok(u) => write!(
                f,
                "{}://{}{}?<redacted>",
                u.scheme(),
                u.host_str().unwrap_or(""),
                u.path()
            ),
            Err(_) => f.write_str("<redacted>"),
        }
    }
}

/// One `@` of a robot message.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct AtUser {
    /// The user's DingTalk id.
    pub dingtalk_id: String,
    /// The user's staff id (in the robot's organisation).
    pub staff_id: Option<String>,
}

/// The text of a `text` message.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct BotText {
    /// The text as typed (with the robot's `@` removed by DingTalk).
    pub content: String,
}

/// A message sent to a robot, in a group (`@robot`) or a one-to-one chat. Unknown fields are
/// kept in [`raw`](Self::raw). DingTalk does not redeliver robot messages.
///
/// ```no_run
/// # async fn f(msg: dingtalk_openapi_stream::BotMessage) -> Result<(), Box<dyn std::error::Error>> {
/// let text = msg.text.as_ref().map(|t| t.content.trim()).unwrap_or("");
/// msg.reply_text(format!("you said: {text}")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct BotMessage {
    /// The frame's `messageId`.
    #[serde(skip)]
    pub message_id: String,
    /// Every header of the frame.
    #[serde(skip)]
    pub headers: Headers,
    /// The conversation.
    pub conversation_id: String,
    /// `1`: one-to-one, `2`: group.
    pub conversation_type: String,
    /// The group's title.
    pub conversation_title: Option<String>,
    /// The sender's staff id (absent for users outside the organisation).
    pub sender_staff_id: Option<String>,
    /// The sender's encrypted id.
    pub sender_id: String,
    /// The sender's nickname.
    pub sender_nick: String,
    /// The sender's organisation.
    pub sender_corp_id: Option<String>,
    /// The robot's own user id.
    pub chatbot_user_id: String,
    /// The robot's organisation.
    pub chatbot_corp_id: Option<String>,
    /// The message id.
    pub msg_id: String,
    /// `text`, `richText`, `picture`, `audio`, `file`…
    pub msgtype: String,
    /// The text, for `text` messages.
    pub text: Option<BotText>,
    /// The content of other message types, as sent.
    pub content: Option<Value>,
    /// When it was sent, in ms since the Unix epoch.
    #[serde(deserialize_with = "lenient_i64")]
    pub create_at: Option<i64>,
    /// Where a reply may be posted until [`session_webhook_expired_time`](Self::session_webhook_expired_time).
    pub session_webhook: SessionWebhook,
    /// When the session webhook expires, in ms since the Unix epoch.
    #[serde(deserialize_with = "lenient_i64")]
    pub session_webhook_expired_time: Option<i64>,
    /// The robot's code.
    pub robot_code: Option<String>,
    /// The users `@`-ed in the message.
    pub at_users: Vec<AtUser>,
    /// Whether the sender is an administrator.
    pub is_admin: Option<bool>,
    /// Whether the robot is among the `@`-ed.
    pub is_in_at_list: Option<bool>,
    /// The whole data, for fields this struct does not name.
    #[serde(skip)]
    pub raw: Value,
    #[serde(skip)]
    replier: Option<Replier>,
}

impl fmt::Debug for BotMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BotMessage")
            .field("message_id", &self.message_id)
            .field("conversation_id", &self.conversation_id)
            .field("conversation_type", &self.conversation_type)
            .field("sender_staff_id", &self.sender_staff_id)
            .field("sender_nick", &self.sender_nick)
            .field("msg_id", &self.msg_id)
            .field("msgtype", &self.msgtype)
            .field("text", &self.text)
            .field("session_webhook", &self.session_webhook)
            .field(
                "session_webhook_expired_time",
                &self.session_webhook_expired_time,
            )
            .field("robot_code", &self.robot_code)
            .finish_non_exhaustive()
    }
}

fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// The HTTP client and clock a delivered [`BotMessage`] replies with.
#[derive(Clone)]
pub(crate) struct Replier {
    pub(crate) http: reqwest::Client,
    pub(crate) clock: Arc<dyn TimeSource>,
}

impl BotMessage {
    pub(crate) fn from_data(
        message_id: &str,
        headers: &Headers,
        raw: Value,
        replier: Option<Replier>,
    ) -> BotMessage {
        let mut msg = BotMessage::deserialize(&raw).unwrap_or_default();
        msg.message_id = message_id.to_owned();
        msg.headers = headers.clone();
        msg.raw = raw;
        msg.replier = replier;
        msg
    }

    /// Replies with a text message over the session webhook.
    pub async fn reply_text(&self, content: impl Into<String>) -> Result<(), ReplyError> {
        self.reply(json!({"msgtype": "text", "text": {"content": content.into()}}))
            .await
    }

    /// Replies with a Markdown message over the session webhook.
    pub async fn reply_markdown(
        &self,
        title: impl Into<String>,
        text: impl Into<String>,
    ) -> Result<(), ReplyError> {
        self.reply(json!({"msgtype": "markdown",
                          "markdown": {"title": title.into(), "text": text.into()}}))
            .await
    }

    /// Posts any robot message body (`{"msgtype": …}`) to the session webhook. An expired
    /// webhook is refused before anything is sent.
    pub async fn reply(&self, body: Value) -> Result<(), ReplyError> {
        let msg_id = || self.msg_id.clone();
        if self.session_webhook.is_empty() {
            return Err(ReplyError::NoWebhook { msg_id: msg_id() });
        }
        let Some(replier) = &self.replier else {
            return Err(ReplyError::Detached { msg_id: msg_id() });
        };
        if let Some(expired_at_ms) = self.session_webhook_expired_time {
            let now_ms = replier
                .clock
                .now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or(Duration::ZERO)
                .as_millis();
            let now_ms = i64::try_from(now_ms).unwrap_or(i64::MAX);
            if now_ms >= expired_at_ms {
                return Err(ReplyError::WebhookExpired {
                    msg_id: msg_id(),
                    expired_at_ms,
                    now_ms,
                });
            }
        }
        let answer = replier
            .http
            .post(self.session_webhook.expose())
            .header("Accept", "application/json")
            .json(&body)
            .send()
            .await
            .map_err(|e| ReplyError::Transport {
                msg_id: msg_id(),
                reason: e.without_url().to_string(),
            })?;
        let status = answer.status().as_u16();
        let text = answer.text().await.map_err(|e| ReplyError::Transport {
            msg_id: msg_id(),
            reason: e.without_url().to_string(),
        })?;
        let parsed: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let errcode = parsed.get("errcode").and_then(Value::as_i64).unwrap_or(0);
        if !(200..300).contains(&status) || errcode != 0 {
            let errmsg = parsed
                .get("errmsg")
                .or_else(|| parsed.get("message"))
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| text.chars().take(200).collect());
            return Err(ReplyError::Rejected {
                msg_id: msg_id(),
                status,
                errcode,
                errmsg,
            });
        }
        tracing::debug!(msg_id = %self.msg_id, "robot reply sent over the session webhook");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOOK: &str = "https://oapi.dingtalk.com/robot/sendBySession?session=SESSION-TOKEN";

    fn message() -> BotMessage {
        BotMessage::from_data(
            "m",
            &Headers::default(),
            json!({"conversationId": "cid", "conversationType": "2", "senderNick": "n",
                   "msgId": "msg1", "msgtype": "text", "text": {"content": " hi"},
                   "sessionWebhook": HOOK, "sessionWebhookExpiredTime": "1700000000000",
                   "createAt": 1699999999000i64, "atUsers": [{"dingtalkId": "d"}],
                   "isAdmin": true, "brandNew": {"x": 1}}),
            None,
        )
    }

    #[test]
    fn fields_are_read_and_unknown_ones_kept() {
        let m = message();
        assert_eq!(m.text.as_ref().unwrap().content, " hi");
        assert_eq!(m.session_webhook_expired_time, Some(1_700_000_000_000));
        assert_eq!(m.at_users[0].dingtalk_id, "d");
        assert_eq!(m.is_admin, Some(true));
        assert_eq!(m.raw["brandNew"]["x"], 1);
    }

    #[test]
    fn debug_and_display_hide_the_session_token() {
        let m = message();
        let debug = format!("{m:?}");
        assert!(!debug.contains("SESSION-TOKEN"), "{debug}");
        assert!(debug.contains("oapi.dingtalk.com/robot/sendBySession"));
        assert!(!m.session_webhook.to_string().contains("SESSION-TOKEN"));
    }

    #[tokio::test]
    async fn a_detached_message_cannot_reply() {
        let err = message().reply_text("x").await.unwrap_err();
        assert!(matches!(err, ReplyError::Detached { .. }));
        assert!(!err.to_string().contains("SESSION-TOKEN"));
    }
}
