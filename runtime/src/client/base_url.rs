//! Base URLs: https, or plain http on a loopback host (a local fake) unless the caller opts in;
//! no query, fragment or credentials.

use std::net::IpAddr;

/// Checks a base URL and returns it without a trailing slash.
pub(super) fn check_base_url(
    what: &str,
    url: &str,
    allow_insecure_http: bool,
) -> Result<String, String> {
    let parsed =
        reqwest::Url::parse(url.trim()).map_err(|e| format!("{what} `{url}` is not a URL: {e}"))?;
    let host = parsed.host_str().unwrap_or_default();
    if host.is_empty() {
        return Err(format!("{what} `{url}` has no host"));
    }
    match parsed.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(host) => {}
        "http" => {
            return Err(format!(
                "{what} `{url}` uses plain http for a host that is not loopback (call allow_insecure_http to permit it)"
            ));
        }
        other => {
            return Err(format!(
                "{what} `{url}` has scheme `{other}`; expected https"
            ));
        }
    }
    if parsed.query().is_some()
        || parsed.fragment().is_some()
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return Err(format!(
            "{what} `{url}` must not carry a query, fragment or credentials"
        ));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// 127.0.0.0/8, ::1 and `localhost`.
fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            check_base_url("x", "https://oapi.dingtalk.com/", false).unwrap(),
            "https://oapi.dingtalk.com"
        );
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
            "http://127.1.2.3",
        ] {
            assert!(check_base_url("x", ok, false).is_ok(), "{ok}");
        }
        assert!(
            check_base_url("x", "http://example.com", false)
                .unwrap_err()
                .contains("allow_insecure_http")
        );
        assert!(check_base_url("x", "http://example.com", true).is_ok());
        assert!(check_base_url("x", "ftp://example.com", true).is_err());
        assert!(check_base_url("x", "https://example.com/?access_token=x", true).is_err());
        assert!(check_base_url("x", "not a url", true).is_err());
        assert_eq!(
            check_base_url("x", "https://gw.example.com/dingtalk/", false).unwrap(),
            "https://gw.example.com/dingtalk"
        );
    }
}
