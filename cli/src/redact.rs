//! Keeping credentials out of everything the command prints on stderr (errors, warnings and
//! traces): URLs shown without their user name, password, query or fragment, and a last pass
//! over every line that masks the secrets the command knows of and any credential a URL carries.
//!
//! The secrets are registered as they become known: the app secret and the robot's token and
//! secret from the command line, environment or `--mock`, and the access tokens the client
//! fetches and sends, which the tracing interceptor learns ([`register`]). Standard output, the
//! answer, is never touched: `dingtalk call gettoken` prints its token.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// What replaces a credential.
pub(crate) const MASK: &str = "***";

/// Secrets shorter than this are not masked in free text: they would mask ordinary words.
const MIN_LEN: usize = 4;

/// The query parameters that carry credentials (as `hooks::redacted_url` knows them), masked
/// wherever a URL in the text has them.
const SECRET_QUERY_KEYS: &[&str] = &[
    "access_token",
    "appsecret",
    "corpsecret",
    "sign",
    "signature",
    "suitesecret",
    "suite_ticket",
];

/// Every secret registered so far, longest first, each also as it appears in a query string.
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn secrets() -> MutexGuard<'static, Vec<String>> {
    SECRETS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Masks `secret` (and its query-string form) in everything printed on stderr from now on.
pub(crate) fn register(secret: &str) {
    let secret = secret.trim();
    if secret.chars().count() < MIN_LEN {
        return;
    }
    let mut list = secrets();
    for form in [secret.to_owned(), query_encoded(secret)] {
        if !list.contains(&form) {
            list.push(form);
        }
    }
    list.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// Whether a query parameter of this name carries a credential.
pub(crate) fn secret_key(key: &str) -> bool {
    SECRET_QUERY_KEYS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(key))
}

/// `text` as `application/x-www-form-urlencoded` writes it, as the client puts it in a query.
fn query_encoded(text: &str) -> String {
    let mut url = reqwest::Url::parse("http://x/").expect("a valid URL");
    url.query_pairs_mut().append_pair("k", text);
    url.query()
        .and_then(|q| q.strip_prefix("k="))
        .unwrap_or_default()
        .to_owned()
}

/// `text` with every registered secret, every credential a query carries (`access_token=…`,
/// `sign=…`) and every user name and password of a URL replaced by `***`.
pub(crate) fn scrub(text: &str) -> String {
    let mut out = text.to_owned();
    for secret in secrets().iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), MASK);
        }
    }
    mask_user_info(&mask_query_values(&out))
}

/// Where a value in free text ends.
fn ends_value(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '&' | '#' | '"' | '\'' | '`' | ')' | ']' | '>' | ',' | ';'
        )
}

/// Masks the value of every `?key=` or `&key=` whose key carries a credential.
fn mask_query_values(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    let mut from = 0;
    while let Some(found) = lower[from..].find(['?', '&']) {
        let key_start = from + found + 1;
        from = key_start;
        let Some(key) = SECRET_QUERY_KEYS
            .iter()
            .find(|k| lower[key_start..].starts_with(&format!("{k}=")))
        else {
            continue;
        };
        let value_start = key_start + key.len() + 1;
        let value_end = text[value_start..]
            .find(ends_value)
            .map_or(text.len(), |i| value_start + i);
        if value_end > value_start && &text[value_start..value_end] != MASK {
            out.push_str(&text[done..value_start]);
            out.push_str(MASK);
            done = value_end;
        }
        from = value_end;
    }
    out.push_str(&text[done..]);
    out
}

/// Masks the user name and password of every `scheme://user:password@host` in the text.
fn mask_user_info(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find("://") {
        let start = from + found + 3;
        let end = text[start..]
            .find(|c: char| ends_value(c) || matches!(c, '/' | '?'))
            .map_or(text.len(), |i| start + i);
        if let Some(at) = text[start..end].rfind('@')
            && &text[start..start + at] != MASK
        {
            out.push_str(&text[done..start]);
            out.push_str(MASK);
            done = start + at;
        }
        from = end;
    }
    out.push_str(&text[done..]);
    out
}

/// A base URL as the command names it: as given when it carries nothing to hide, otherwise with
/// its user name and password, query and fragment shown as `***`.
pub(crate) fn shown_url(given: &str, parsed: &reqwest::Url) -> String {
    let credentials = !parsed.username().is_empty() || parsed.password().is_some();
    if !credentials && parsed.query().is_none() && parsed.fragment().is_none() {
        return given.to_owned();
    }
    let mut shown = parsed.clone();
    if credentials {
        let _ = shown.set_password(None);
        let _ = shown.set_username(MASK);
    }
    if shown.query().is_some() {
        shown.set_query(Some(MASK));
    }
    if shown.fragment().is_some() {
        shown.set_fragment(Some(MASK));
    }
    shown.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shown_without_credentials() {
        let shown = |text: &str| shown_url(text, &reqwest::Url::parse(text).unwrap());
        assert_eq!(shown("http://10.0.0.1"), "http://10.0.0.1");
        assert_eq!(
            shown("http://alice:pw@10.0.0.1:8/x?access_token=t#f"),
            "http://***@10.0.0.1:8/x?***#***"
        );
        assert_eq!(shown("https://:pw@h/"), "https://***@h/");
    }

    #[test]
    fn scrubbing_masks_registered_secrets_query_credentials_and_user_info() {
        register("s3cr3t value+/=");
        register("abc"); // too short to mask
        let text = "a s3cr3t value+/= in text, s3cr3t+value%2B%2F%3D in a query; abc stays";
        assert_eq!(
            scrub(text),
            "a *** in text, *** in a query; abc stays",
            "{text}"
        );
        assert_eq!(
            scrub(
                "GET http://u:p@127.0.0.1:1/robot/send?access_token=T0K&timestamp=1&sign=a%2Bb \
                 (https://ALICE@h?x=1&AppSecret=zz) https://***@h/?access_token=*** design=1"
            ),
            "GET http://***@127.0.0.1:1/robot/send?access_token=***&timestamp=1&sign=*** \
             (https://***@h?x=1&AppSecret=***) https://***@h/?access_token=*** design=1"
        );
        assert_eq!(scrub("no URL here: a@b, x=1"), "no URL here: a@b, x=1");
    }
}
