//! Opening a connection: the open call (credentials and subscriptions for an endpoint and a
//! single-use ticket), the endpoint's checks, and the TLS settings of both.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use crate::config::Shared;
use crate::error::StreamError;
use crate::frame::{ErrorEnvelope, OpenRequest, OpenResponse};

/// The path of the open call.
pub(crate) const OPEN_PATH: &str = "/v1.0/gateway/connections/open";

/// The WebSocket URL to connect to, ticket included. Debug hides the ticket.
pub(crate) struct ConnectUrl {
    pub(crate) url: String,
    /// The endpoint without the ticket, for logs.
    pub(crate) endpoint: String,
}

impl fmt::Debug for ConnectUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}?ticket=<redacted>", self.endpoint)
    }
}

/// Why an open failed.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// Try again after a backoff: a connection error, a 5xx, a 429, an unreadable answer.
    Transient(String),
    /// Retrying cannot help.
    Fatal(StreamError),
}

/// Calls the open API once.
pub(crate) async fn open(shared: &Shared) -> Result<ConnectUrl, OpenError> {
    let cfg = &shared.config;
    let url = format!("{}{}", cfg.api_base, OPEN_PATH);
    let local_ip = match &cfg.local_ip {
        Some(ip) => ip.clone(),
        None => local_ip_towards(&cfg.api_base).await.unwrap_or_default(),
    };
    let body = OpenRequest {
        client_id: &cfg.app_key,
        client_secret: &cfg.app_secret.0,
        subscriptions: &cfg.subscriptions,
        ua: &cfg.user_agent,
        local_ip,
    };
    let answer = shared
        .http
        .post(&url)
        .header("Accept", "application/json")
        .json(&body)
        .timeout(cfg.open_timeout)
        .send()
        .await
        .map_err(|e| OpenError::Transient(format!("POST {url}: {}", e.without_url())))?;
    let status = answer.status().as_u16();
    let bytes = answer.bytes().await.map_err(|e| {
        OpenError::Transient(format!(
            "POST {url}: reading the answer: {}",
            e.without_url()
        ))
    })?;
    if !(200..300).contains(&status) {
        let env: ErrorEnvelope = serde_json::from_slice(&bytes).unwrap_or_default();
        let code = match env.code {
            Some(serde_json::Value::String(s)) => s,
            Some(other) => other.to_string(),
            None => String::new(),
        };
        let message = env.message.unwrap_or_else(|| {
            String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned()
        });
        if status >= 500 || status == 429 || status == 408 {
            return Err(OpenError::Transient(format!(
                "POST {url}: HTTP {status}, code {code}: {message}"
            )));
        }
        return Err(OpenError::Fatal(StreamError::OpenRejected {
            url,
            status,
            code,
            message,
            request_id: env.requestid,
        }));
    }
    let parsed: OpenResponse = serde_json::from_slice(&bytes).map_err(|e| {
        OpenError::Transient(format!(
            "POST {url}: the answer is not an endpoint and a ticket: {e}"
        ))
    })?;
    if parsed.endpoint.is_empty() || parsed.ticket.is_empty() {
        return Err(OpenError::Transient(format!(
            "POST {url}: the answer lacks the endpoint or the ticket"
        )));
    }
    connect_url(&parsed.endpoint, &parsed.ticket).map_err(OpenError::Fatal)
}

/// `{endpoint}?ticket={ticket}`, refusing anything but `wss://`, or `ws://` on loopback.
pub(crate) fn connect_url(endpoint: &str, ticket: &str) -> Result<ConnectUrl, StreamError> {
    let invalid = |reason: &str| StreamError::InvalidEndpoint {
        endpoint: endpoint.to_owned(),
        reason: reason.to_owned(),
    };
    let mut url = url::Url::parse(endpoint).map_err(|e| invalid(&e.to_string()))?;
    let host = url.host().ok_or_else(|| invalid("it has no host"))?;
    match url.scheme() {
        "wss" => {}
        "ws" if is_loopback(&host) => {}
        "ws" => {
            return Err(StreamError::InsecureEndpoint {
                endpoint: endpoint.to_owned(),
            });
        }
        other => return Err(invalid(&format!("the scheme {other:?} is not wss"))),
    }
    url.query_pairs_mut().append_pair("ticket", ticket);
    Ok(ConnectUrl {
        url: url.into(),
        endpoint: endpoint.to_owned(),
    })
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// The local address the system would use towards the API host (no packet is sent).
async fn local_ip_towards(api_base: &str) -> Option<String> {
    let url = url::Url::parse(api_base).ok()?;
    let host = url.host_str()?.trim_matches(['[', ']']).to_owned();
    let port = url.port_or_known_default()?;
    let addr = tokio::net::lookup_host((host.as_str(), port))
        .await
        .ok()?
        .next()?;
    let bind: IpAddr = if addr.is_ipv4() {
        IpAddr::from([0, 0, 0, 0])
    } else {
        IpAddr::from([0u16; 8])
    };
    let socket = std::net::UdpSocket::bind((bind, 0)).ok()?;
    socket.connect(addr).ok()?;
    Some(socket.local_addr().ok()?.ip().to_string())
}

/// The rustls settings: the ring provider and the platform's verifier. Without CA certificates
/// on the machine, only plain loopback connections work (and every TLS one is refused).
pub(crate) fn tls_config(needs_tls: bool) -> Result<rustls::ClientConfig, StreamError> {
    use rustls_platform_verifier::BuilderVerifierExt;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StreamError::Config(format!("cannot set up TLS: {e}")))?;
    match builder.clone().with_platform_verifier() {
        Ok(b) => Ok(b.with_no_client_auth()),
        Err(e) if needs_tls => Err(StreamError::Config(format!(
            "cannot set up TLS certificate checks: {e}"
        ))),
        Err(_) => Ok(builder
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wss_gets_the_ticket_url_encoded() {
        let u = connect_url(
            "wss://wss-open-connection.dingtalk.com:443/connect",
            "a+b/c=",
        )
        .unwrap();
        assert_eq!(
            u.url,
            "wss://wss-open-connection.dingtalk.com/connect?ticket=a%2Bb%2Fc%3D"
        );
        assert!(!format!("{u:?}").contains("a%2B"));
    }

    #[test]
    fn plain_ws_is_only_for_loopback() {
        for ok in [
            "ws://127.0.0.1:9/x",
            "ws://[::1]:9/x",
            "ws://localhost:9/x",
            "ws://LOCALHOST/x",
        ] {
            assert!(connect_url(ok, "t").is_ok(), "{ok}");
        }
        for bad in [
            "ws://example.com/x",
            "ws://10.0.0.1/x",
            "ws://127.0.0.1.evil.com/x",
        ] {
            let err = connect_url(bad, "TICKET").unwrap_err();
            assert!(matches!(err, StreamError::InsecureEndpoint { .. }), "{bad}");
            let text = err.to_string();
            assert!(text.contains("ws://") && !text.contains("TICKET"), "{text}");
        }
        assert!(matches!(
            connect_url("https://example.com/x", "t"),
            Err(StreamError::InvalidEndpoint { .. })
        ));
        assert!(matches!(
            connect_url("nonsense", "t"),
            Err(StreamError::InvalidEndpoint { .. })
        ));
    }
}
