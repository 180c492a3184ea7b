//! The JSAPI config example (`examples/jsapi_config.rs`) served on 127.0.0.1 against the fake
//! DingTalk: a page gets a `dd.config` object signed with the fake's `jsapi_ticket`, fetched once
//! for every page.

#[path = "../examples/jsapi_config.rs"]
#[allow(dead_code)] // The example's `main` is not used here.
mod example;

use dingtalk_openapi::Client;
use dingtalk_openapi::runtime::login::{JsapiTickets, jsapi_signature};
use dingtalk_openapi_fake::{MockServer, operations};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// GETs `path` over plain HTTP/1.1; the status and the body.
async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let answer = String::from_utf8(answer).expect("UTF-8");
    let (head, body) = answer.split_once("\r\n\r\n").expect("head and body");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, body.to_owned())
}

#[tokio::test]
async fn pages_get_a_signed_config_and_the_ticket_is_fetched_once() {
    let fake = MockServer::builder(operations())
        .start()
        .await
        .expect("fake");
    let client = Client::builder()
        .app_credentials(fake.app_key(), fake.app_secret())
        .oapi_base_url(fake.base_url())
        .api_base_url(fake.base_url())
        .build()
        .expect("client");
    let ticket = JsapiTickets::new((*client).clone())
        .ticket()
        .await
        .expect("ticket");
    let app = example::App {
        agent_id: "123456".into(),
        corp_id: "dingcorp".into(),
        tickets: JsapiTickets::new((*client).clone()),
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, example::router(app)).await });
    let before = fake.faults().calls("get_jsapi_ticket");

    let page = "https://app.example.com/page?x=1";
    for _ in 0..3 {
        let path = format!(
            "{}?url={}",
            example::CONFIG_PATH,
            "https%3A%2F%2Fapp.example.com%2Fpage%3Fx%3D1"
        );
        let (status, body) = get(addr, &path).await;
        assert_eq!(status, 200, "{body}");
        let config: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(config["agentId"], "123456");
        assert_eq!(config["corpId"], "dingcorp");
        let signature = jsapi_signature(
            ticket.expose(),
            config["nonceStr"].as_str().unwrap(),
            config["timeStamp"].as_str().unwrap(),
            page,
        )
        .unwrap();
        assert_eq!(config["signature"], signature.as_str());
        assert!(
            !body.contains(ticket.expose()),
            "the ticket stays on the server"
        );
    }
    assert_eq!(fake.faults().calls("get_jsapi_ticket") - before, 1);
    fake.shutdown().await;
}
