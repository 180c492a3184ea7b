//! Variants of an example: paths into a JSON value, every object in it, and the altered responses
//! check (d) must still read (an unknown field everywhere, `{}`, objects emptied or nulled).

use serde_json::{Value, json};

/// A field name no DingTalk object has.
pub(crate) const UNKNOWN_FIELD: &str = "x_unknown_field_for_tests";

/// A step into a JSON value.
#[derive(Debug, Clone)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

pub(crate) fn show(path: &[Seg]) -> String {
    let mut out = String::from("$");
    for seg in path {
        match seg {
            Seg::Key(k) => out.push_str(&format!(".{k}")),
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

pub(crate) fn at_mut<'v>(value: &'v mut Value, path: &[Seg]) -> &'v mut Value {
    path.iter().fold(value, |v, seg| match seg {
        Seg::Key(k) => &mut v[k.as_str()],
        Seg::Index(i) => &mut v[*i],
    })
}

/// The paths of every object in a value, the root included.
fn object_paths(value: &Value, path: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    match value {
        Value::Object(map) => {
            out.push(path.clone());
            for (k, v) in map {
                path.push(Seg::Key(k.clone()));
                object_paths(v, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                object_paths(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

pub(crate) fn objects(value: &Value) -> Vec<Vec<Seg>> {
    let mut out = Vec::new();
    object_paths(value, &mut Vec::new(), &mut out);
    out
}

/// The example with an unknown field added to every object.
fn with_unknown_fields(value: &Value) -> Value {
    let mut out = value.clone();
    for path in objects(value) {
        if let Value::Object(map) = at_mut(&mut out, &path) {
            map.insert(UNKNOWN_FIELD.into(), json!({"nested": [1, "two"]}));
        }
    }
    out
}

/// The response variants that must still deserialize, each with what it is.
pub(crate) fn tolerated_variants(example: &Value) -> Vec<(String, Value)> {
    let mut out = vec![
        ("`{}`".to_owned(), json!({})),
        (
            "an unknown field in every object".to_owned(),
            with_unknown_fields(example),
        ),
    ];
    for path in objects(example) {
        if !path.is_empty() {
            let mut emptied = example.clone();
            *at_mut(&mut emptied, &path) = json!({});
            out.push((format!("{} emptied", show(&path)), emptied));
        }
        let mut nulled = example.clone();
        if let Value::Object(map) = at_mut(&mut nulled, &path) {
            map.values_mut().for_each(|v| *v = Value::Null);
        }
        out.push((format!("every field of {} null", show(&path)), nulled));
    }
    out
}
