//! The echo bot example (`examples/echo_bot.rs`) against the fake Stream gateway: a user's text
//! is answered over its session webhook and the message acked; a message whose webhook has
//! expired is not answered, not acked as handled, and so left for a redelivery.

#[path = "../examples/echo_bot.rs"]
#[allow(dead_code)] // The example's `main` is not used here.
mod bot;

use std::time::Duration;

use dingtalk_openapi_fake::{MockServer, operations};

/// Generous: the clock is paused, so this only bounds a hang.
const PATIENCE: Duration = Duration::from_secs(600);

#[tokio::test(start_paused = true)]
async fn the_echo_bot_replies_over_the_session_webhook_and_acks() {
    let fake = MockServer::builder(operations())
        .start()
        .await
        .expect("fake");
    let gateway = fake.gateway();
    let client = bot::echo_bot(fake.app_key().to_owned(), fake.app_secret().to_owned())
        .api_base_url(fake.base_url())
        .build()
        .expect("client");
    let stop = client.shutdown_handle();
    let running = tokio::spawn(async move { client.run().await });

    let id = gateway.push(gateway.bot_text("  你好, bot ", Duration::from_secs(3600)));
    let acks = tokio::time::timeout(PATIENCE, gateway.wait_acks(1))
        .await
        .expect("acked");
    assert_eq!(acks[0].message_id, id);
    assert_eq!(acks[0].code, 200);
    let replies = gateway.session_replies();
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(replies[0]["msgtype"], "text");
    assert_eq!(replies[0]["text"]["content"], "echo: 你好, bot");

    // An expired webhook: no reply is sent and the message is not acked as handled.
    let expired = gateway.push(gateway.bot_text("late", Duration::ZERO));
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(gateway.session_replies().len(), 1);
    assert!(
        gateway.acks().iter().all(|a| a.message_id != expired),
        "{:?}",
        gateway.acks()
    );

    stop.shutdown(Duration::from_secs(5));
    tokio::time::timeout(PATIENCE, running)
        .await
        .expect("stops")
        .expect("joins")
        .expect("runs");
    fake.shutdown().await;
}
