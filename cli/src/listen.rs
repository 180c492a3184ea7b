//! `dingtalk stream listen`: Stream mode from a shell. One JSON line per delivered `EVENT` or
//! `CALLBACK` message goes to stdout, `{"type", "topic", "messageId", "data"}`, each
//! `messageId` once, and the message is acked after its line is written. Everything else (logs,
//! reconnects) goes to stderr.
//!
//! Lines are written by one handler at a time, so they come out in the order the messages were
//! handed over. With `--max-messages N`, the N-th line asks the client for a graceful shutdown:
//! the client sends that message's ack before it closes, and the command exits 0. A message that
//! arrives after the N-th is answered "later" (never printed, never acked as handled), so
//! DingTalk delivers it again to whoever listens next.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;
use serde_json::value::RawValue;

use crate::args::{Global, ListenArgs, Sources};
use crate::call::{Settings, check_plain_http};
use crate::{CallError, output, redact, shared};
use dingtalk_openapi_stream::{
    BOT_MESSAGE_TOPIC, CARD_CALLBACK_TOPIC, Outcome, RawMessage, StreamClient, StreamClientBuilder,
    StreamError, Subscription,
};

/// How long the last handlers may take to finish and be acked once the command is done.
const SHUTDOWN_BOUND: Duration = Duration::from_secs(5);

/// One line of output.
#[derive(Serialize)]
struct Line<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    topic: &'a str,
    #[serde(rename = "messageId")]
    message_id: &'a str,
    data: DataField<'a>,
}

/// The message's data: its JSON as sent when it is JSON, otherwise the text as a string.
#[derive(Serialize)]
#[serde(untagged)]
enum DataField<'a> {
    Json(&'a RawValue),
    Text(&'a str),
}

/// The JSON line printed for `message`.
fn line(message: &RawMessage) -> String {
    let raw: Option<Box<RawValue>> = serde_json::from_str(&message.data).ok();
    let line = Line {
        kind: message.kind.as_str(),
        topic: &message.topic,
        message_id: &message.message_id,
        data: match &raw {
            Some(raw) => DataField::Json(raw),
            None => DataField::Text(&message.data),
        },
    };
    // A struct of strings and raw JSON always serializes.
    let mut text = serde_json::to_string(&line).unwrap_or_default();
    text.push('\n');
    text
}

/// The subscriptions the flags ask for: `--topic` events (`*` when no flag is given), `--bot`
/// and `--card` callbacks.
fn subscriptions(args: &ListenArgs) -> Vec<Subscription> {
    let mut topics: Vec<Subscription> = args
        .topic
        .iter()
        .map(|t| Subscription::event(t.clone()))
        .collect();
    if args.bot {
        topics.push(Subscription::callback(BOT_MESSAGE_TOPIC));
    }
    if args.card {
        topics.push(Subscription::callback(CARD_CALLBACK_TOPIC));
    }
    if topics.is_empty() {
        topics.push(Subscription::event("*"));
    }
    topics
}

/// `dingtalk stream listen`.
pub(crate) fn run(global: &Global, sources: &Sources, args: &ListenArgs) -> Result<(), CallError> {
    if global.mock {
        return Err(CallError::usage(
            "--mock has nothing to push to a listener: run `dingtalk mock serve` in another shell, \
             export what it prints, and push messages through its control API",
        ));
    }
    let settings = Settings::from_flags(global, sources);
    let (key, secret) = settings.app_credentials().map_err(|fix| {
        CallError::usage(format!("stream listen needs the app's credentials: {fix}"))
    })?;
    redact::register(&secret);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CallError::failed(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let mut builder = StreamClient::builder(key.clone(), secret).max_concurrent_handlers(1);
        if let Some((url, source)) = &settings.api_base_url {
            check_plain_http("api", url, source, settings.allow_insecure_http)?;
            builder = builder.api_base_url(url);
        }
        if let Some(idle) = args.idle_timeout {
            builder = builder.idle_timeout(idle);
        }
        if let Some(url) = shared::url(&global.redis_url) {
            // Another listener of the same app on this Redis never prints a message twice.
            let store = shared::connect(url).await?.dedup_store(&key);
            builder = builder.dedup_store(Arc::new(store));
        }
        for subscription in subscriptions(args) {
            builder = builder.subscribe(subscription);
        }
        let client = printing(builder, args.max_messages)?;
        client
            .run_until(async {
                // Without a ctrl-c handler only --max-messages ends the command.
                if tokio::signal::ctrl_c().await.is_err() {
                    std::future::pending::<()>().await;
                }
            })
            .await
            .map_err(|e: StreamError| CallError::failed(redact::scrub(&e.to_string())))
    })
}

/// The client with the printing handler: one line per message, and after `max` lines a
/// graceful shutdown (the last line's ack is sent before the client stops).
fn printing(builder: StreamClientBuilder, max: Option<u64>) -> Result<StreamClient, CallError> {
    let printed = Arc::new(AtomicU64::new(0));
    let stop = builder.shutdown_handle();
    builder
        .on_message(move |message: RawMessage| {
            let printed = Arc::clone(&printed);
            let stop = stop.clone();
            async move {
                let before = printed.fetch_add(1, Ordering::SeqCst);
                if max.is_some_and(|max| before >= max) {
                    // Done already: leave it for whoever listens next.
                    return Ok(Outcome::Later);
                }
                output::write_stdout(line(&message).as_bytes())?;
                if max.is_some_and(|max| before + 1 == max) {
                    stop.shutdown(SHUTDOWN_BOUND);
                }
                Ok::<_, CallError>(Outcome::Success)
            }
        })
        .build()
        .map_err(|e| CallError::usage(redact::scrub(&e.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn listen(flags: &[&str]) -> ListenArgs {
        let mut argv = vec!["dingtalk", "stream", "listen"];
        argv.extend_from_slice(flags);
        match crate::args::Cli::parse_from(argv).command {
            crate::args::Command::Stream(crate::args::StreamCommand::Listen(a)) => a,
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn every_event_unless_told_otherwise() {
        assert_eq!(subscriptions(&listen(&[])), [Subscription::event("*")]);
        assert_eq!(
            subscriptions(&listen(&[
                "--bot", "--topic", "a", "--card", "--topic", "b"
            ])),
            [
                Subscription::event("a"),
                Subscription::event("b"),
                Subscription::callback(BOT_MESSAGE_TOPIC),
                Subscription::callback(CARD_CALLBACK_TOPIC),
            ]
        );
        assert_eq!(
            subscriptions(&listen(&["--bot"])),
            [Subscription::callback(BOT_MESSAGE_TOPIC)]
        );
    }
}
