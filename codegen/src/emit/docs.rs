//! Doc comments for generated items: the Chinese descriptions from the tables, examples,
//! limits and links, as `#[doc]` attributes that prettyplease prints as `///`.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::ir::{Encode, Field, Limits, Location};

/// `#[doc]` attributes, one per line of `text` (made safe by [`inert`]).
pub(crate) fn doc(text: &str) -> TokenStream {
    let lines = lines(text);
    quote!(#(#[doc = #lines])*)
}

/// `#![doc]` attributes, one per line of `text` (made safe by [`inert`]).
pub(crate) fn inner_doc(text: &str) -> TokenStream {
    let lines = lines(text);
    quote!(#(#![doc = #lines])*)
}

/// The doc lines of `text`, each after one space.
fn lines(text: &str) -> Vec<proc_macro2::Literal> {
    inert(text)
        .lines()
        .map(|l| {
            if l.is_empty() {
                super::lit("")
            } else {
                super::lit(&format!(" {l}"))
            }
        })
        .collect()
}

/// Markdown from the spec made inert for rustdoc, which compiles and runs the Rust code blocks
/// of docs as doctests: every fenced block becomes a `text` block (an unclosed one is closed at
/// the end), and a line indented by four columns or more outside a fence loses its indentation
/// (an indented block would be Rust code too). Other text is unchanged.
pub(crate) fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    // The open fence: its character and length.
    let mut open: Option<(char, usize)> = None;
    for line in text.lines() {
        let body = line.trim_start_matches([' ', '\t']);
        let indent: usize = line[..line.len() - body.len()].chars().fold(0, |col, c| {
            if c == '\t' { col / 4 * 4 + 4 } else { col + 1 }
        });
        let fence = body
            .chars()
            .next()
            .filter(|c| matches!(c, '`' | '~'))
            .map(|c| (c, body.chars().take_while(|&d| d == c).count()))
            .filter(|&(_, n)| n >= 3 && indent <= 3);
        match (open, fence) {
            (Some((c, n)), Some((d, m))) if c == d && m >= n && body[m..].trim().is_empty() => {
                open = None;
                out.push_str(line);
            }
            (Some(_), _) => out.push_str(line),
            // A backtick fence's info string holds no backtick (else it is inline code).
            (None, Some(('`', m))) if body[m..].contains('`') => out.push_str(line),
            (None, Some((c, m))) => {
                open = Some((c, m));
                out.push_str(&line[..line.len() - body.len()]);
                out.push_str(&body[..m]);
                out.push_str("text");
            }
            (None, None) if indent >= 4 => out.push_str(body),
            (None, None) => out.push_str(line),
        }
        out.push('\n');
    }
    if let Some((c, n)) = open {
        out.extend(std::iter::repeat_n(c, n));
        out.push('\n');
    }
    out
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
    match (l.min_len, l.max_len) {
        (Some(a), Some(b)) if a == b => parts.push(format!("exactly {a} characters")),
        (Some(a), Some(b)) => parts.push(format!("from {a} to {b} characters")),
        (Some(a), None) => parts.push(format!("at least {a} characters")),
        (None, Some(b)) => parts.push(format!("at most {b} characters")),
        (None, None) => {}
    }
    if let Some(by) = &l.max_bytes_by {
        let each: Vec<String> = by
            .values
            .iter()
            .map(|(v, n)| format!("{} for `{v}`", bytes(*n)))
            .collect();
        parts.push(format!("at most {} by `{}`", each.join(", "), by.field));
    }
    if let Some(n) = l.max_bytes {
        let what = if l.max_bytes_by.is_some() {
            "otherwise at most"
        } else {
            "at most"
        };
        parts.push(format!("{what} {}", bytes(n)));
    }
    (!parts.is_empty()).then(|| {
        format!(
            "Limit: {}; checked by `validate()` before sending.",
            parts.join(", ")
        )
    })
}

/// A byte count in words: whole MiB as such (`20 MiB`), else bytes.
fn bytes(n: u64) -> String {
    const MIB: u64 = 1 << 20;
    if n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else {
        format!("{n} bytes")
    }
}

/// What an undescribed field's data says: its wire name, and for a parameter where it goes and
/// how it is written.
fn placement(f: &Field) -> String {
    let place = match f.location {
        None => "",
        Some(Location::Body) => ", in the body",
        Some(Location::Query) => ", in the query",
        Some(Location::Header) => ", a header",
        Some(Location::Path) => ", in the path",
        Some(Location::WholeBody) => ", the whole body",
        Some(Location::Form | Location::File) => ", in the form",
    };
    let encode = match f.encode {
        Encode::Plain => "",
        Encode::Json => ", as JSON text",
        Encode::Repeat => ", as numbered keys (`name.1`, `name.2`, ...)",
    };
    format!("`{}`{place}{encode}.", f.wire)
}

/// The doc text of a field: description, then its wire name when it differs, example, default
/// and limits on the same line.
pub(crate) fn field(f: &Field) -> String {
    // Made inert here already, so a block the description leaves open is closed before the
    // notes, which then start a paragraph of their own.
    let mut text = if f.description.is_empty() {
        // An imported field has no description: say what the data says.
        placement(f)
    } else {
        inert(&f.description).trim_end().to_owned()
    };
    let ends_in_block = text
        .lines()
        .last()
        .is_some_and(|l| l.trim_start().starts_with("```") || l.trim_start().starts_with("~~~"));
    let mut notes = Vec::new();
    if f.wire != f.rust && !f.flatten && !f.description.is_empty() {
        notes.push(format!("Wire name: `{}`.", f.wire));
    }
    let mut block = None;
    match &f.example {
        Some(Value::String(s)) if !f.secret && s.contains('\n') => {
            // A fence longer than any run of backticks in the example, which cannot close it.
            let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
            let fence = "`".repeat(longest.max(2) + 1);
            block = Some(format!("Example:\n\n{fence}text\n{s}\n{fence}"));
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
        text.push_str(if ends_in_block { "\n\n" } else { " " });
        text.push_str(&notes.join(" "));
    }
    if let Some(block) = block {
        text.push_str("\n\n");
        text.push_str(&block);
    }
    text
}
