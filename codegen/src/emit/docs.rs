//! Doc comments for generated items: the Chinese descriptions from the tables, examples,
//! limits and links, as `#[doc]` attributes that prettyplease prints as `///`.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::ir::{Field, Limits};

/// `#[doc]` attributes, one per line of `text`.
pub(crate) fn doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| {
        if l.is_empty() {
            super::lit("")
        } else {
            super::lit(&format!(" {l}"))
        }
    });
    quote!(#(#[doc = #lines])*)
}

/// A value as inline code in docs.
pub(crate) fn code(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    format!("`{}`", s.replace('`', "'"))
}

/// The limits of a field in words, or `None`.
pub(crate) fn limits(l: &Limits) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(n) = l.min_items {
        parts.push(format!("at least {n} items"));
    }
    if let Some(n) = l.max_items {
        parts.push(format!("at most {n} items"));
    }
    match (l.min, l.max) {
        (Some(a), Some(b)) => parts.push(format!("from {a} to {b}")),
        (Some(a), None) => parts.push(format!("at least {a}")),
        (None, Some(b)) => parts.push(format!("at most {b}")),
        (None, None) => {}
    }
    if let Some(n) = l.max_len {
        parts.push(format!("at most {n} characters"));
    }
    (!parts.is_empty()).then(|| {
        format!(
            "Limit: {}; checked by `validate()` before sending.",
            parts.join(", ")
        )
    })
}

/// The doc text of a field: description, then its wire name when it differs, example, default
/// and limits on the same line.
pub(crate) fn field(f: &Field) -> String {
    let mut text = f.description.clone();
    let mut notes = Vec::new();
    if f.wire != f.rust && !f.flatten {
        notes.push(format!("Wire name: `{}`.", f.wire));
    }
    let mut block = None;
    match &f.example {
        Some(Value::String(s)) if !f.secret && s.contains('\n') => {
            block = Some(format!("Example:\n\n```text\n{s}\n```"));
        }
        Some(e) if !f.secret => notes.push(format!("Example: {}.", code(e))),
        _ => {}
    }
    if let Some(d) = &f.default {
        notes.push(format!("Default: {}.", code(d)));
    }
    if let Some(l) = limits(&f.limits) {
        notes.push(l);
    }
    // The notes follow the description on its last line; a multi-line example is a block.
    if !notes.is_empty() {
        text.push(' ');
        text.push_str(&notes.join(" "));
    }
    if let Some(block) = block {
        text.push_str("\n\n");
        text.push_str(&block);
    }
    text
}
