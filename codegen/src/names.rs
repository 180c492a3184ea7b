//! Every Rust name the generator makes is made here: casing (heck), keywords, identifiers.
//!
//! Wire names stay exactly as DingTalk spells them; Rust names are idiomatic and derived from
//! them, so `deptList` becomes `dept_list` and `type` becomes `type_`.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust's strict and reserved keywords, plus the path keywords that cannot be raw identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Whether `s` is a plain ASCII snake_case identifier (`[a-z_][a-z0-9_]*`).
pub fn is_snake_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z' | '_'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

/// Whether `s` is an ASCII UpperCamelCase identifier.
pub fn is_upper_camel(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('A'..='Z'))
        && chars.all(|c| c.is_ascii_alphanumeric())
        && s.to_upper_camel_case() == s
}

/// Whether `s` is a keyword that cannot name a field or function as it is.
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// The Rust field (or function) name for a wire name; `None` when nothing ASCII is left.
pub fn field_name(wire: &str) -> Option<String> {
    let ascii: String = wire
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut name = ascii.to_snake_case();
    if name.is_empty() {
        return None;
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "field_");
    }
    if is_keyword(&name) {
        name.push('_');
    }
    Some(name)
}

/// The Rust type name for an operation id plus a suffix: `blackboard.category.list` + `Request`
/// gives `BlackboardCategoryListRequest`.
pub fn operation_type(id: &str, suffix: &str) -> String {
    format!("{}{suffix}", id.replace('.', " ").to_upper_camel_case())
}

/// The default method name of an operation on its area client: the id without a leading
/// segment equal to the area, snake_case (`blackboard.category.list` in `blackboard` gives
/// `category_list`).
pub fn operation_fn(id: &str, area: &str) -> Option<String> {
    let rest = id
        .strip_prefix(area)
        .and_then(|r| r.strip_prefix('.'))
        .unwrap_or(id);
    field_name(&rest.replace('.', " "))
}

/// The methods an operation gives its area client: its own, and for a paginated one the
/// `_pages` and `_items` streams.
pub fn method_names(op: &crate::ir::Operation) -> Vec<String> {
    let mut names = vec![op.fn_name.clone()];
    if op.pagination.is_some() {
        let (pages, items) = stream_fns(&op.fn_name);
        names.extend([pages, items]);
    }
    names
}

/// The Rust variant name of an enum value or union variant.
pub fn variant_name(name: &str) -> Option<String> {
    let ascii: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let v = ascii.to_upper_camel_case();
    if v.is_empty() {
        return None;
    }
    Some(if v.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{v}")
    } else {
        v
    })
}

/// The area client type: `blackboard` gives `BlackboardClient`.
pub fn client_type(area: &str) -> String {
    format!("{}Client", area.to_upper_camel_case())
}

/// The Rust names of a paginated operation's stream methods.
pub fn stream_fns(fn_name: &str) -> (String, String) {
    (format!("{fn_name}_pages"), format!("{fn_name}_items"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_become_clean_rust_names() {
        assert_eq!(field_name("deptList").as_deref(), Some("dept_list"));
        assert_eq!(field_name("categoryId").as_deref(), Some("category_id"));
        assert_eq!(field_name("type").as_deref(), Some("type_"));
        assert_eq!(field_name("self").as_deref(), Some("self_"));
        assert_eq!(
            field_name("x-acs-dingtalk-access-token").as_deref(),
            Some("x_acs_dingtalk_access_token")
        );
        assert_eq!(field_name("singleURL").as_deref(), Some("single_url"));
        assert_eq!(field_name("2fa").as_deref(), Some("field_2fa"));
        assert_eq!(field_name("名称"), None);
        assert_eq!(field_name("access_token").as_deref(), Some("access_token"));
    }

    #[test]
    fn operation_names() {
        assert_eq!(
            operation_type("blackboard.category.list", "Request"),
            "BlackboardCategoryListRequest"
        );
        assert_eq!(
            operation_type("oauth2.accessToken", "Response"),
            "Oauth2AccessTokenResponse"
        );
        assert_eq!(
            operation_fn("blackboard.category.list", "blackboard").as_deref(),
            Some("category_list")
        );
        assert_eq!(
            operation_fn("gettoken", "auth").as_deref(),
            Some("gettoken")
        );
        assert_eq!(
            operation_fn("oauth2.accessToken", "auth").as_deref(),
            Some("oauth2_access_token")
        );
        assert_eq!(variant_name("no_status").as_deref(), Some("NoStatus"));
        assert_eq!(variant_name("0").as_deref(), Some("V0"));
        assert!(is_upper_camel("BlackboardCreateVo"));
        assert!(!is_upper_camel("blackboardVo"));
        assert!(!is_upper_camel("Blackboard_Vo"));
    }
}
