//! What the fake's tests share: a started fake with a plain-HTTP client, raw answers, and the
//! generated typed operations sent over raw HTTP the way DingTalk expects them (so the tests see
//! the exact wire answer), or through the typed `dingtalk_openapi::Client`.

use std::time::Duration;

use dingtalk_openapi::Client;
use dingtalk_openapi::blackboard::{
    BlackboardListidsRequest, BlackboardQueryVo, BlackboardQueryVoRequired,
};
use dingtalk_openapi::operation::{Auth, Location, Method, Operation, OperationInfo};
use dingtalk_openapi::primitives::EpochMillis;
use dingtalk_openapi_fake::{MockBuilder, MockServer};
use serde::Serialize;
use serde_json::Value;

/// The header v1.0 operations read the token from.
pub(crate) const TOKEN_HEADER: &str = "x-acs-dingtalk-access-token";

/// A plain-HTTP reqwest client (no TLS roots needed).
pub(crate) fn http() -> reqwest::Client {
    http_builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("http client")
}

/// A plain-HTTP client that sets no timer of its own (no timeout, no idle-connection reaper):
/// with tokio's clock paused, the fake's own timers are then the only ones, and the clock
/// advances exactly to them.
pub(crate) fn timerless_http() -> reqwest::Client {
    http_builder()
        .pool_idle_timeout(None)
        .build()
        .expect("http client")
}

fn http_builder() -> reqwest::ClientBuilder {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("tls versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder().tls_backend_preconfigured(tls)
}

/// An answer: status, the `x-acs-request-id` header, the content type and the body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) content_type: String,
    pub(crate) text: String,
}

impl Answer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The oapi `errcode`.
    pub(crate) fn errcode(&self) -> i64 {
        self.json()["errcode"]
            .as_i64()
            .unwrap_or_else(|| panic!("no errcode: {}", self.text))
    }

    /// The oapi `errmsg` (empty if none).
    pub(crate) fn errmsg(&self) -> String {
        self.text_at("errmsg")
    }

    /// The oapi `sub_code` (empty if none).
    pub(crate) fn sub_code(&self) -> String {
        self.text_at("sub_code")
    }

    /// The v1.0 `code` (empty if none).
    pub(crate) fn code(&self) -> String {
        self.text_at("code")
    }

    fn text_at(&self, key: &str) -> String {
        self.json()[key].as_str().unwrap_or_default().to_owned()
    }
}

/// A running fake and a plain-HTTP client for it.
pub(crate) struct Fake {
    pub(crate) server: MockServer,
    pub(crate) http: reqwest::Client,
}

impl Fake {
    /// A fake of every generated operation, seeded or not.
    pub(crate) async fn start(seed: bool) -> Fake {
        Fake::start_with(builder().seed(seed)).await
    }

    /// A fake as `builder` configures it.
    pub(crate) async fn start_with(builder: MockBuilder) -> Fake {
        Fake {
            server: builder.start().await.expect("start the fake"),
            http: http(),
        }
    }

    /// A fake as `builder` configures it, with a client that sets no timers (for tests on
    /// tokio's paused clock).
    pub(crate) async fn start_timerless(builder: MockBuilder) -> Fake {
        Fake {
            server: builder.start().await.expect("start the fake"),
            http: timerless_http(),
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    /// The URL of `path` with a query string (reqwest's own `query` needs a feature we lack).
    pub(crate) fn at<K: AsRef<str>, V: AsRef<str>>(
        &self,
        path: &str,
        query: &[(K, V)],
    ) -> reqwest::Url {
        let pairs = query.iter().map(|(k, v)| (k.as_ref(), v.as_ref()));
        reqwest::Url::parse_with_params(&self.url(path), pairs).expect("url")
    }

    pub(crate) async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("send");
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let request_id = header("x-acs-request-id");
        let content_type = header("content-type").unwrap_or_default();
        let text = response.text().await.expect("body");
        Answer {
            status,
            request_id,
            content_type,
            text,
        }
    }

    pub(crate) async fn get(&self, path: &str, query: &[(&str, &str)]) -> Answer {
        self.send(self.http.get(self.at(path, query))).await
    }

    /// `GET /gettoken` with the fake's app credentials.
    pub(crate) async fn token(&self) -> String {
        let answer = self
            .get(
                "/gettoken",
                &[
                    ("appkey", self.server.app_key()),
                    ("appsecret", self.server.app_secret()),
                ],
            )
            .await;
        answer.json()["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// A POST of `body` as JSON with `?access_token=` (oapi).
    pub(crate) async fn oapi(&self, path: &str, token: &str, body: &impl Serialize) -> Answer {
        self.send(
            self.http
                .post(self.at(path, &[("access_token", token)]))
                .json(body),
        )
        .await
    }

    /// A v1.0 GET with the token header.
    pub(crate) async fn api_get(&self, path: &str, token: &str, query: &[(&str, &str)]) -> Answer {
        self.send(
            self.http
                .get(self.at(path, query))
                .header(TOKEN_HEADER, token),
        )
        .await
    }

    /// The query of a robot message signed at `timestamp` with the fake's secret.
    pub(crate) fn robot_query(&self, token: &str, timestamp: i64) -> Vec<(&'static str, String)> {
        let secret = self.server.robot_secret().unwrap_or_default();
        vec![
            ("access_token", token.to_owned()),
            ("timestamp", timestamp.to_string()),
            (
                "sign",
                dingtalk_openapi_runtime::robot::sign(secret, timestamp),
            ),
        ]
    }

    /// Sends the typed request `request` as DingTalk expects it (and as the client would): every
    /// parameter where `O::INFO` places it (all in the query for a GET), the token where the
    /// operation's host reads it. Returns the raw answer.
    pub(crate) async fn call<O: Operation>(&self, token: &str, request: &O) -> Answer {
        let request = serde_json::to_value(request).expect("serialize");
        self.call_json(O::INFO, token, request).await
    }

    /// Sends "the request" `request` (by wire names) of the operation `info` as [`Fake::call`]
    /// does, values its typed request could not hold included.
    pub(crate) async fn call_json(
        &self,
        info: &OperationInfo,
        token: &str,
        request: Value,
    ) -> Answer {
        let Value::Object(params) = request else {
            panic!("{}: the request is not a JSON object", info.id);
        };
        let mut query: Vec<(String, String)> = Vec::new();
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut body = serde_json::Map::new();
        for (name, value) in params {
            let location = info
                .params
                .iter()
                .find(|p| p.name == name)
                .map_or(Location::Body, |p| p.location);
            match location {
                _ if info.method == Method::Get => query.push((name, text(&value))),
                Location::Query => query.push((name, text(&value))),
                Location::Header => headers.push((name, text(&value))),
                _ => {
                    body.insert(name, value);
                }
            }
        }
        match info.auth {
            Auth::QueryToken => query.push(("access_token".into(), token.to_owned())),
            Auth::HeaderToken => headers.push((TOKEN_HEADER.into(), token.to_owned())),
            Auth::Robot => {
                let robot = self.robot_query(token, EpochMillis::now().as_millis());
                query.extend(robot.into_iter().map(|(k, v)| (k.to_owned(), v)));
            }
            Auth::AppSignature => {
                let signed = dingtalk_openapi_runtime::login::signed_query(
                    self.server.app_key(),
                    &dingtalk_openapi::primitives::Secret::new(self.server.app_secret()),
                    EpochMillis::now().as_millis(),
                );
                query.extend(signed.into_iter().map(|(k, v)| (k.to_owned(), v)));
            }
            Auth::None => {}
        }
        let url = self.at(info.path, &query);
        let mut request = match info.method {
            Method::Get => self.http.get(url),
            _ => self.http.post(url).json(&body),
        };
        for (name, value) in headers {
            request = request.header(name, value);
        }
        self.send(request).await
    }

    /// The typed client, aimed at the fake with its credentials, without pacing.
    pub(crate) fn client(&self) -> Client {
        let mut builder = Client::builder()
            .app_credentials(self.server.app_key(), self.server.app_secret())
            .oapi_base_url(self.server.base_url())
            .api_base_url(self.server.base_url())
            .robot_token(self.server.robot_token())
            .no_rate_limit();
        if let Some(secret) = self.server.robot_secret() {
            builder = builder.robot_secret(secret);
        }
        builder.build().expect("client")
    }
}

/// A builder of a fake of every generated operation.
pub(crate) fn builder() -> MockBuilder {
    MockServer::builder(dingtalk_openapi_fake::operations())
}

/// A parameter as query text: strings as they are, anything else as JSON.
fn text(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

/// `blackboard.listids` for `manager01`, page `page` of `page_size` ids.
pub(crate) fn listids(page: i64, page_size: i64) -> BlackboardListidsRequest {
    BlackboardListidsRequest::new(BlackboardQueryVo::new(BlackboardQueryVoRequired {
        operation_userid: "manager01".into(),
        page_size,
        page,
    }))
}

/// A typed request as "the request": one JSON object by wire names.
pub(crate) fn json(request: &impl Serialize) -> Value {
    serde_json::to_value(request).expect("serialize")
}

/// The ids of a `blackboard.listids` answer.
pub(crate) fn ids(answer: &Answer) -> Vec<String> {
    answer.json()["result"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}
