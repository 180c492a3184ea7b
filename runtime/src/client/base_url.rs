//! Base URLs: https, or plain http on a loopback host (a local fake) unless the caller opts in;
//! no query, fragment or credentials.
//!
//! A rejected URL is named in the error, but never with what it should not have carried: user
//! name, password, query (`access_token=…`) and fragment are shown as `***` ([`shown`]).

use std::net::IpAddr;

/// Checks a base URL and returns it without a trailing slash.
pub(super) fn check_base_url(
    what: &str,
    url: &str,
    allow_insecure_http: bool,
) -> Result<String, String> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| format!("{what} `{}` is not a URL: {e}", shown(url)))?;
    let host = parsed.host_str().unwrap_or_default();
    if host.is_empty() {
        return Err(format!("{what} `{}` has no host", shown(url)));
    }
    match parsed.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(host) => {}
        "http" => {
            return Err(format!(
                "{what} `{}` uses plain http for a host that is not loopback (call allow_insecure_http to permit it)",
                shown(url)
            ));
        }
        other => {
            return Err(format!(
                "{what} `{}` has scheme `{other}`; expected https",
                shown(url)
            ));
        }
    }
    if parsed.query().is_some()
        || parsed.fragment().is_some()
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return Err(format!(
            "{what} `{}` must not carry a query, fragment or credentials",
            shown(url)
        ));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// `url` as an error may show it: user name and password, query and fragment each replaced by
/// `***`, whether or not the text parses as a URL.
fn shown(url: &str) -> String {
    const MASK: &str = "***";
    let text = url.trim();
    // A URL that cannot carry credentials (`unix:u:p@h`) may hold them in its path: as text.
    if let Ok(mut parsed) = reqwest::Url::parse(text)
        && !parsed.cannot_be_a_base()
    {
        if !parsed.username().is_empty() || parsed.password().is_some() {
            let _ = parsed.set_password(None);
            let _ = parsed.set_username(MASK);
        }
        if parsed.query().is_some() {
            parsed.set_query(Some(MASK));
        }
        if parsed.fragment().is_some() {
            parsed.set_fragment(Some(MASK));
        }
        return parsed.into();
    }
    // Otherwise everything before the last `@` of the part before `?` and `#` may be a user
    // name and password.
    let end = text.find(['?', '#']).unwrap_or(text.len());
    let (before, after) = text.split_at(end);
    let start = before.find("://").map_or(0, |i| i + 3);
    let mut out = match before.rfind('@') {
        Some(at) => {
            let scheme = if at >= start { &before[..start] } else { "" };
            format!("{scheme}{MASK}{}", &before[at..])
        }
        None => before.to_owned(),
    };
    if let Some(query) = after.strip_prefix('?') {
        out.push('?');
        out.push_str(MASK);
        if query.contains('#') {
            out.push('#');
            out.push_str(MASK);
        }
    } else if after.starts_with('#') {
        out.push('#');
        out.push_str(MASK);
    }
    out
}

/// 127.0.0.0/8, ::1 and `localhost`.
pub(super) fn is_loopback(host: &str) -> bool {
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

    #[test]
    fn rejected_urls_never_show_credentials_or_query() {
        const SECRETS: [&str; 4] = ["alice", "SUPERSECRET123", "T0KEN", "fr4gment"];
        // One case for every error, each URL carrying a user, a password, a query and a fragment.
        let cases = [
            // Not a URL (the host is a broken IPv6 literal), scheme and all.
            (
                "http://alice:SUPERSECRET123@[::1:80/x?access_token=T0KEN#fr4gment",
                "x `http://***@[::1:80/x?***#***` is not a URL: invalid IPv6 address",
            ),
            // No scheme: `alice:` is taken for one.
            (
                "alice:SUPERSECRET123@example.com/?access_token=T0KEN",
                "x `***@example.com/?***` has no host",
            ),
            // No host.
            (
                "unix:alice:SUPERSECRET123@sock?access_token=T0KEN#fr4gment",
                "x `***@sock?***#***` has no host",
            ),
            (
                "file:///run/x?access_token=T0KEN#fr4gment",
                "x `file:///run/x?***#***` has no host",
            ),
            ("a:b@c://d", "x `***@c://d` has no host"),
            // Without `@`, nothing to hide: shown as given.
            ("localhost:8080", "x `localhost:8080` has no host"),
            (
                "/v1.0",
                "x `/v1.0` is not a URL: relative URL without a base",
            ),
            (
                "http://alice:SUPERSECRET123@example.com/?access_token=T0KEN#fr4gment",
                "x `http://***@example.com/?***#***` uses plain http for a host that is not \
                 loopback (call allow_insecure_http to permit it)",
            ),
            (
                "ftp://alice:SUPERSECRET123@127.0.0.1:1/?access_token=T0KEN",
                "x `ftp://***@127.0.0.1:1/?***` has scheme `ftp`; expected https",
            ),
            (
                " http://alice:SUPERSECRET123@127.0.0.1:1 ",
                "x `http://***@127.0.0.1:1/` must not carry a query, fragment or credentials",
            ),
            (
                "https://:SUPERSECRET123@example.com/?access_token=T0KEN",
                "x `https://***@example.com/?***` must not carry a query, fragment or credentials",
            ),
            (
                "https://example.com/dingtalk?access_token=T0KEN#fr4gment",
                "x `https://example.com/dingtalk?***#***` must not carry a query, fragment or \
                 credentials",
            ),
        ];
        for (url, expected) in cases {
            let message = check_base_url("x", url, false).unwrap_err();
            for secret in SECRETS {
                assert!(!message.contains(secret), "{secret} in {message}");
            }
            assert_eq!(message, expected, "{url}");
        }
    }
}
