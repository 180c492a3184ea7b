//! Every operation's documented examples against its generated Rust types.
//!
//! The operations are reached through `dingtalk_openapi::operations()` and `visit_operation`, so an
//! operation added to the spec is covered without touching this file. For each one:
//!
//! - (a) `INFO.example_request` deserializes into the request type and serializes back to the same
//!   JSON, keys in the same order at every level (the robot checks its body as sent, and GUIDE
//!   §1.3 wants the wire exactly as documented);
//! - (b) `validate()` accepts the example request;
//! - (c) `INFO.example_response` deserializes into the response type, every documented field landing
//!   in a field of the type (none skipped as unknown, as a misspelt wire name would be);
//! - (d) responses tolerate the unexpected: an unknown field added to every object, `{}`, each
//!   nested object emptied, and each object's fields all `null` (openapi.json declares optional
//!   response fields nullable) still deserialize;
//! - (e) open enums keep unknown values: every enum-typed value in the examples (found through the
//!   `x-enum-values` of generated/openapi.json) is replaced by an unlisted value, which requests must
//!   round-trip and responses must read; the named enums (blackboard `private_level`, hrm
//!   `status_list`, report statistics `type`, robot `btnOrientation` and `hideAvatar`) are also
//!   checked through their `Unknown` variants, both ways;
//! - request types reject an unknown field at every level (`dingtalk call` relies on that, GUIDE §1.5).
//!
//! Failures of all operations are gathered and reported together.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;

use dingtalk_openapi::operation::{Host, Method, Operation, OperationInfo, OperationVisitor};
use serde::Deserialize;
use serde::de::value::StrDeserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Value, json};

const OPENAPI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../generated/openapi.json");

/// A field name no DingTalk object has.
const UNKNOWN_FIELD: &str = "x_unknown_field_for_tests";

/// Failures that are known generator bugs, as (operation id, the start of the failure message).
/// They are reported but do not fail the test; one that no longer occurs does, so the entry is
/// removed with the fix.
const KNOWN_BUGS: &[(&str, &str)] = &[
    // Empty: the robot's unknown-field and string-errcode bugs are fixed in the generator.
];

// ---------------------------------------------------------------------------------------------
// JSON that keeps its key order

/// A JSON value whose objects keep their keys in document order, whatever serde_json's features.
#[derive(Debug, Clone, PartialEq)]
enum Ordered {
    Leaf(Value),
    Array(Vec<Ordered>),
    Object(Vec<(String, Ordered)>),
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Ordered, E> {
                Ok(Ordered::Leaf(v.into()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Ordered, E> {
                Ok(Ordered::Leaf(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Ordered, E> {
                Ok(Ordered::Leaf(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Ordered, E> {
                Ok(Ordered::Leaf(v.into()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Ordered, E> {
                Ok(Ordered::Leaf(v.into()))
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Leaf(Value::Null))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Ordered::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Ordered::Object(entries))
            }
        }
        d.deserialize_any(V)
    }
}

/// The first object whose keys come in a different order, as a message.
fn order_difference(a: &Ordered, b: &Ordered, path: &str) -> Option<String> {
    match (a, b) {
        (Ordered::Object(a), Ordered::Object(b)) => {
            let keys_a: Vec<&str> = a.iter().map(|(k, _)| k.as_str()).collect();
            let keys_b: Vec<&str> = b.iter().map(|(k, _)| k.as_str()).collect();
            if keys_a != keys_b {
                return Some(format!(
                    "keys at {path}: example {keys_a:?}, serialized {keys_b:?}"
                ));
            }
            a.iter()
                .zip(b)
                .find_map(|((k, va), (_, vb))| order_difference(va, vb, &format!("{path}.{k}")))
        }
        (Ordered::Array(a), Ordered::Array(b)) => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (va, vb))| order_difference(va, vb, &format!("{path}[{i}]"))),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Which keys a type ignores

/// Deserializes from a [`Value`] like serde_json does, recording the path of every value the
/// target type skips (unknown fields). `Operation::Response` is only `DeserializeOwned`, so this
/// is how a generic check sees that a documented response field was dropped.
struct Tracked<'a> {
    value: &'a Value,
    path: String,
    ignored: &'a RefCell<Vec<String>>,
}

/// Deserializes `T` from `value`; the paths of the values it ignored, or the error.
fn deserialize_tracked<T: DeserializeOwned>(
    value: &Value,
) -> Result<Vec<String>, serde_json::Error> {
    let ignored = RefCell::new(Vec::new());
    T::deserialize(Tracked {
        value,
        path: "$".into(),
        ignored: &ignored,
    })?;
    Ok(ignored.into_inner())
}

impl<'de> de::Deserializer<'de> for Tracked<'_> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Value::Object(map) => visitor.visit_map(TrackedMap {
                entries: map.iter(),
                current: None,
                path: self.path,
                ignored: self.ignored,
            }),
            Value::Array(items) => visitor.visit_seq(TrackedSeq {
                items: items.iter().enumerate(),
                path: self.path,
                ignored: self.ignored,
            }),
            scalar => scalar.clone().deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.ignored.borrow_mut().push(self.path);
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.value.clone().deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

struct TrackedMap<'a> {
    entries: serde_json::map::Iter<'a>,
    current: Option<(&'a String, &'a Value)>,
    path: String,
    ignored: &'a RefCell<Vec<String>>,
}

impl<'de> MapAccess<'de> for TrackedMap<'_> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.current = Some((key, value));
        seed.deserialize(StrDeserializer::<serde_json::Error>::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        let (key, value) = self.current.take().expect("a key before its value");
        seed.deserialize(Tracked {
            value,
            path: format!("{}.{key}", self.path),
            ignored: self.ignored,
        })
    }
}

struct TrackedSeq<'a> {
    items: std::iter::Enumerate<std::slice::Iter<'a, Value>>,
    path: String,
    ignored: &'a RefCell<Vec<String>>,
}

impl<'de> SeqAccess<'de> for TrackedSeq<'_> {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        let Some((i, value)) = self.items.next() else {
            return Ok(None);
        };
        seed.deserialize(Tracked {
            value,
            path: format!("{}[{i}]", self.path),
            ignored: self.ignored,
        })
        .map(Some)
    }
}

// ---------------------------------------------------------------------------------------------
// Variants of an example

/// A step into a JSON value.
#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

fn show(path: &[Seg]) -> String {
    let mut out = String::from("$");
    for seg in path {
        match seg {
            Seg::Key(k) => out.push_str(&format!(".{k}")),
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn at_mut<'v>(value: &'v mut Value, path: &[Seg]) -> &'v mut Value {
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

fn objects(value: &Value) -> Vec<Vec<Seg>> {
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
fn tolerated_variants(example: &Value) -> Vec<(String, Value)> {
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

// ---------------------------------------------------------------------------------------------
// Open enums, found through openapi.json

/// Where an example holds an enum value, and how to write a value the enum does not list.
#[derive(Debug, Clone)]
struct EnumSite {
    path: Vec<Seg>,
    /// The enum component's name.
    name: String,
    /// The unlisted value to put there.
    unknown: Value,
}

fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..16 {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            match doc.pointer(r.strip_prefix('#').unwrap_or(r)) {
                Some(target) => schema = target,
                None => return &Value::Null,
            }
        } else if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
            let non_null: Vec<&Value> = branches
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                .collect();
            match non_null.as_slice() {
                [one] => schema = one,
                _ => return schema,
            }
        } else {
            return schema;
        }
    }
    schema
}

/// The enum component a schema refers to (through `anyOf` too), if any.
fn enum_name(doc: &Value, schema: &Value) -> Option<String> {
    let reference = schema
        .get("$ref")
        .or_else(|| {
            schema
                .get("anyOf")?
                .as_array()?
                .iter()
                .find_map(|b| b.get("$ref"))
        })?
        .as_str()?;
    let target = resolve(doc, schema);
    target.get("x-enum-values")?;
    Some(reference.rsplit('/').next().unwrap_or(reference).to_owned())
}

/// A value no enum of this spec lists, of the enum's wire type.
fn unlisted(doc: &Value, schema: &Value) -> Value {
    match resolve(doc, schema).get("type").and_then(Value::as_str) {
        Some("integer") => json!(7),
        _ => json!("unlisted-7"),
    }
}

fn enum_sites(
    doc: &Value,
    schema: &Value,
    value: &Value,
    path: &mut Vec<Seg>,
    out: &mut Vec<EnumSite>,
) {
    if let Some(name) = enum_name(doc, schema) {
        out.push(EnumSite {
            path: path.clone(),
            name,
            unknown: unlisted(doc, schema),
        });
        return;
    }
    if schema.get("x-dingtalk-type").and_then(Value::as_str) == Some("csv")
        && let Some(items) = schema.get("x-dingtalk-items")
        && let Some(name) = enum_name(doc, items)
        && let Value::String(s) = value
    {
        // A comma-joined list of enum values: add an unlisted one.
        let extra = match unlisted(doc, items) {
            Value::String(s) => s,
            other => other.to_string(),
        };
        let joined = if s.is_empty() {
            extra
        } else {
            format!("{s},{extra}")
        };
        out.push(EnumSite {
            path: path.clone(),
            name: format!("csv<{name}>"),
            unknown: Value::String(joined),
        });
        return;
    }
    let resolved = resolve(doc, schema);
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if let Some(property) = resolved.get("properties").and_then(|p| p.get(k)) {
                    path.push(Seg::Key(k.clone()));
                    enum_sites(doc, property, v, path, out);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = resolved.get("items") {
                for (i, v) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    enum_sites(doc, item_schema, v, path, out);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

/// The schemas of an operation's request (parameters and body properties as one object) and
/// response, from openapi.json.
fn operation_schemas(doc: &Value, id: &str) -> Option<(Value, Value)> {
    let op = doc["paths"]
        .as_object()?
        .values()
        .flat_map(|item| item.as_object().into_iter().flatten().map(|(_, op)| op))
        .find(|op| op["operationId"] == id)?;
    let mut properties = serde_json::Map::new();
    for param in op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(name) = param["name"].as_str() {
            properties.insert(name.to_owned(), param["schema"].clone());
        }
    }
    if let Some(body) = op.pointer("/requestBody/content/application~1json/schema") {
        let body = resolve(doc, body);
        for (k, v) in body
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            properties.insert(k.clone(), v.clone());
        }
    }
    let response = op
        .pointer("/responses/200/content/application~1json/schema")
        .cloned()
        .unwrap_or(Value::Null);
    Some((json!({ "properties": properties }), response))
}

// ---------------------------------------------------------------------------------------------
// The visitor

/// What one operation's checks found.
#[derive(Default)]
struct Report {
    failures: Vec<String>,
    /// Response variants checked under (d).
    variants: usize,
    /// Enum sites checked under (e), as `path: Enum`.
    enums: Vec<String>,
}

struct CheckExamples<'a> {
    doc: &'a Value,
}

impl OperationVisitor for CheckExamples<'_> {
    type Output = Report;

    fn visit<O: Operation>(self) -> Report {
        let info = O::INFO;
        let mut report = Report::default();
        let mut fail =
            |what: &str, msg: String| report.failures.push(format!("{}: {what}: {msg}", info.id));

        // (a) The example request, there and back, in order.
        let request_value: Value = match serde_json::from_str(info.example_request) {
            Ok(v) => v,
            Err(e) => {
                fail("(a) request example", format!("not JSON: {e}"));
                Value::Null
            }
        };
        match serde_json::from_str::<O>(info.example_request) {
            Err(e) => fail(
                "(a) request example",
                format!("does not deserialize into the request type: {e}"),
            ),
            Ok(request) => {
                let back = serde_json::to_string(&request).expect("requests serialize");
                let back_value: Value =
                    serde_json::from_str(&back).expect("serialized JSON parses");
                if back_value != request_value {
                    fail(
                        "(a) request example",
                        format!(
                            "serializes back differently:\n  example {request_value}\n  back    {back_value}"
                        ),
                    );
                } else {
                    let a: Ordered = serde_json::from_str(info.example_request).expect("JSON");
                    let b: Ordered = serde_json::from_str(&back).expect("JSON");
                    if let Some(diff) = order_difference(&a, &b, "$") {
                        fail("(a) request example", format!("key order differs: {diff}"));
                    }
                }
                // (b) The documented example is within the documented limits.
                if let Err(e) = request.validate() {
                    fail("(b) validate", format!("rejects the example request: {e}"));
                }
            }
        }

        // Requests are closed: an unknown field anywhere is an error, not silently dropped.
        for path in objects(&request_value) {
            let mut extended = request_value.clone();
            if let Value::Object(map) = at_mut(&mut extended, &path) {
                map.insert(UNKNOWN_FIELD.into(), json!(1));
            }
            if serde_json::from_value::<O>(extended).is_ok() {
                fail(
                    "request type",
                    format!(
                        "accepts an unknown field `{UNKNOWN_FIELD}` at `{}`",
                        show(&path)
                    ),
                );
            }
        }

        // (c) The example response reads into the response type.
        let response_value: Value = match serde_json::from_str(info.example_response) {
            Ok(v @ Value::Object(_)) => v,
            Ok(other) => {
                fail(
                    "(c) response example",
                    format!("not a JSON object: {other}"),
                );
                json!({})
            }
            Err(e) => {
                fail("(c) response example", format!("not JSON: {e}"));
                json!({})
            }
        };
        // Every documented field lands in a field of the type (none is skipped as unknown).
        match deserialize_tracked::<O::Response>(&response_value) {
            Err(e) => fail(
                "(c) response example",
                format!("does not deserialize into the response type: {e}"),
            ),
            Ok(ignored) if !ignored.is_empty() => {
                fail(
                    "(c) response example",
                    format!("the response type drops documented fields {ignored:?}"),
                );
            }
            Ok(_) => {}
        }

        // (d) Unknown, missing and null fields.
        for (what, variant) in tolerated_variants(&response_value) {
            report.variants += 1;
            match deserialize_tracked::<O::Response>(&variant) {
                Err(e) => fail(
                    "(d) response",
                    format!("{what} does not deserialize: {e}\n  body {variant}"),
                ),
                Ok(ignored) if ignored.iter().any(|p| !p.ends_with(UNKNOWN_FIELD)) => {
                    fail(
                        "(d) response",
                        format!("{what}: fields skipped besides the unknown ones: {ignored:?}"),
                    );
                }
                Ok(_) => {}
            }
        }

        let Some((request_schema, response_schema)) = operation_schemas(self.doc, info.id) else {
            fail("openapi.json", "the operation is missing".to_owned());
            return report;
        };

        // Where openapi.json lets `errcode` arrive as a numeric string (the robot, DINGTALK-FACTS),
        // a successful answer written that way must deserialize too.
        let errcode_types = response_schema.pointer("/properties/errcode/type");
        if errcode_types
            .and_then(Value::as_array)
            .is_some_and(|ts| ts.iter().any(|t| t == "string"))
        {
            let answer = json!({"errcode": "0", "errmsg": "ok"});
            if let Err(e) = deserialize_tracked::<O::Response>(&answer) {
                fail(
                    "(d) response",
                    format!(
                        "openapi.json allows a string errcode, but {answer} does not deserialize: {e}"
                    ),
                );
            }
        }

        // (e) Unlisted enum values survive the round trip, in requests and responses.
        let mut sites = Vec::new();
        enum_sites(
            self.doc,
            &request_schema,
            &request_value,
            &mut Vec::new(),
            &mut sites,
        );
        for site in sites {
            let mut changed = request_value.clone();
            *at_mut(&mut changed, &site.path) = site.unknown.clone();
            let back = serde_json::from_value::<O>(changed.clone())
                .map(|r| serde_json::to_value(r).expect("serializes"));
            match back {
                Ok(back) if back == changed => {}
                Ok(back) => fail(
                    "(e) open enums",
                    format!(
                        "request {}: {} comes back as {back}",
                        show(&site.path),
                        site.unknown
                    ),
                ),
                Err(e) => fail(
                    "(e) open enums",
                    format!(
                        "request {} = {} ({}): {e}",
                        show(&site.path),
                        site.unknown,
                        site.name
                    ),
                ),
            }
            report
                .enums
                .push(format!("request {}: {}", show(&site.path), site.name));
        }
        // Responses: the type is not `Serialize` through `Operation`, so check the value is read
        // without error and without being skipped; the named enums are round-tripped below.
        let mut sites = Vec::new();
        enum_sites(
            self.doc,
            &response_schema,
            &response_value,
            &mut Vec::new(),
            &mut sites,
        );
        for site in sites {
            let mut changed = response_value.clone();
            *at_mut(&mut changed, &site.path) = site.unknown.clone();
            match deserialize_tracked::<O::Response>(&changed) {
                Ok(ignored) if ignored.is_empty() => {}
                Ok(ignored) => fail(
                    "(e) open enums",
                    format!("response {}: skipped {ignored:?}", show(&site.path)),
                ),
                Err(e) => {
                    fail(
                        "(e) open enums",
                        format!(
                            "response {} = {} ({}): {e}",
                            show(&site.path),
                            site.unknown,
                            site.name
                        ),
                    );
                }
            }
            report
                .enums
                .push(format!("response {}: {}", show(&site.path), site.name));
        }
        report
    }
}

fn openapi() -> Value {
    let text =
        std::fs::read_to_string(OPENAPI).unwrap_or_else(|e| panic!("cannot read {OPENAPI}: {e}"));
    serde_json::from_str(&text).expect("openapi.json is JSON")
}

#[test]
fn every_operation_round_trips_its_examples() {
    let doc = openapi();
    let operations = dingtalk_openapi::operations();
    assert!(
        operations.len() >= 24,
        "{} operations, expected at least 24",
        operations.len()
    );

    let mut failures = Vec::new();
    let mut enums: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    println!("{:<38} {:>8} {:>6}", "operation", "variants", "enums");
    for info in &operations {
        let Some(report) = dingtalk_openapi::visit_operation(info.id, CheckExamples { doc: &doc })
        else {
            failures.push(format!(
                "{}: listed by operations() but unknown to visit_operation",
                info.id
            ));
            continue;
        };
        println!(
            "{:<38} {:>8} {:>6}",
            info.id,
            report.variants,
            report.enums.len()
        );
        failures.extend(report.failures);
        enums.insert(info.id, report.enums);
    }
    println!("{} operations", operations.len());
    for (id, sites) in &enums {
        for site in sites {
            println!("  open enum in {id} {site}");
        }
    }

    // The open enums of the spec's examples were found (and so checked above).
    for (id, site) in [
        (
            "blackboard.create",
            "request $.create_request.private_level: PrivateLevel",
        ),
        (
            "blackboard.get",
            "response $.result.private_level: PrivateLevel",
        ),
        (
            "smartwork.hrm.employee.queryonjob",
            "request $.status_list: csv<HrmEmployeeStatus>",
        ),
        (
            "report.statistics.listbytype",
            "request $.type: ReportStatisticsType",
        ),
    ] {
        if !enums
            .get(id)
            .is_some_and(|sites| sites.iter().any(|s| s == site))
        {
            failures.push(format!(
                "{id}: expected an open enum at {site}; found {:?}",
                enums.get(id)
            ));
        }
    }

    // Known bugs are reported, not failed; a known bug that is gone fails, so its entry goes too.
    let is_known = |f: &str, (id, start): &(&str, &str)| f.starts_with(&format!("{id}: {start}"));
    let (known, mut failures): (Vec<String>, Vec<String>) = failures
        .into_iter()
        .partition(|f| KNOWN_BUGS.iter().any(|bug| is_known(f, bug)));
    for f in &known {
        println!("known generator bug (see KNOWN_BUGS): {f}");
    }
    for bug in KNOWN_BUGS {
        if !known.iter().any(|f| is_known(f, bug)) {
            failures.push(format!(
                "{}: the known bug {:?} no longer occurs; remove it from KNOWN_BUGS",
                bug.0, bug.1
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn named_open_enums_keep_unknown_values() {
    use dingtalk_openapi::blackboard::{
        BlackboardCreateRequest, BlackboardGetRequest, BlackboardGetResponse, PrivateLevel,
    };
    use dingtalk_openapi::hrm::{HrmEmployeeStatus, SmartworkHrmEmployeeQueryonjobRequest};
    use dingtalk_openapi::report::{ReportStatisticsListbytypeRequest, ReportStatisticsType};
    use dingtalk_openapi::robot::{
        RobotBtnOrientation, RobotHideAvatar, RobotMessage, RobotSendRequest,
    };

    // blackboard private_level: 7 is neither 0 (普通公告) nor 20 (保密公告).
    assert_eq!(
        serde_json::from_str::<PrivateLevel>("7").unwrap(),
        PrivateLevel::Unknown(7)
    );
    assert_eq!(
        serde_json::to_string(&PrivateLevel::Unknown(7)).unwrap(),
        "7"
    );
    let mut get: Value = serde_json::from_str(BlackboardGetRequest::INFO.example_response).unwrap();
    get["result"]["private_level"] = json!(7);
    let response: BlackboardGetResponse = serde_json::from_value(get.clone()).unwrap();
    assert_eq!(
        response.result.as_ref().unwrap().private_level,
        Some(PrivateLevel::Unknown(7))
    );
    assert_eq!(serde_json::to_value(&response).unwrap(), get);
    let mut create: Value =
        serde_json::from_str(BlackboardCreateRequest::INFO.example_request).unwrap();
    create["create_request"]["private_level"] = json!(7);
    let request: BlackboardCreateRequest = serde_json::from_value(create.clone()).unwrap();
    assert_eq!(
        request.create_request.private_level,
        Some(PrivateLevel::Unknown(7))
    );
    assert_eq!(serde_json::to_value(&request).unwrap(), create);

    // hrm status_list: 9 is not a documented status; the list keeps its order.
    let body = json!({"status_list": "2,9,-1", "offset": 0, "size": 50});
    let request: SmartworkHrmEmployeeQueryonjobRequest =
        serde_json::from_value(body.clone()).unwrap();
    assert_eq!(
        request.status_list.0,
        [
            HrmEmployeeStatus::Probation,
            HrmEmployeeStatus::Unknown(9),
            HrmEmployeeStatus::NoStatus
        ]
    );
    assert_eq!(serde_json::to_value(&request).unwrap(), body);

    // report statistics type: 5 is none of 0 read, 1 commented, 2 liked.
    let body = json!({"report_id": "17469xxx", "type": 5});
    let request: ReportStatisticsListbytypeRequest = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(request.type_, ReportStatisticsType::Unknown(5));
    assert_eq!(serde_json::to_value(&request).unwrap(), body);

    // robot actionCard btnOrientation and hideAvatar: strings "0"/"1" documented, "2" kept.
    let body = json!({
        "msgtype": "actionCard",
        "actionCard": {"title": "t", "text": "x", "btnOrientation": "2", "hideAvatar": "2"}
    });
    let request: RobotSendRequest = serde_json::from_value(body.clone()).unwrap();
    let RobotMessage::ActionCard(card) = &request.message else {
        panic!("an actionCard: {request:?}")
    };
    assert_eq!(
        card.btn_orientation,
        Some(RobotBtnOrientation::Unknown("2".into()))
    );
    assert_eq!(card.hide_avatar, Some(RobotHideAvatar::Unknown("2".into())));
    assert_eq!(serde_json::to_value(&request).unwrap(), body);
}

/// A hand-written operation broken on purpose: its keys serialize in another order than the
/// example's, and its response type drops `errmsg` and requires `errcode`.
#[derive(serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Broken {
    b: i64,
    a: i64,
}

#[derive(Deserialize)]
struct BrokenResponse {
    #[allow(dead_code)]
    errcode: i64,
}

const BROKEN_INFO: OperationInfo = {
    let mut info = OperationInfo::new(
        "test.broken",
        Method::Post,
        Host::Oapi,
        "/topapi/test/broken",
    );
    info.example_request = r#"{"a":1,"b":2}"#;
    info.example_response = r#"{"errcode":0,"errmsg":"ok"}"#;
    info
};

impl Operation for Broken {
    type Response = BrokenResponse;
    const INFO: &'static OperationInfo = &BROKEN_INFO;
}

#[test]
fn the_checks_can_fail() {
    let doc = openapi();
    let failures = CheckExamples { doc: &doc }.visit::<Broken>().failures;
    for expected in [
        "test.broken: (a) request example: key order differs: keys at $: example [\"a\", \"b\"], serialized [\"b\", \"a\"]",
        "test.broken: (c) response example: the response type drops documented fields [\"$.errmsg\"]",
        "test.broken: (d) response: `{}` does not deserialize",
        "test.broken: openapi.json: the operation is missing",
    ] {
        assert!(
            failures.iter().any(|f| f.starts_with(expected)),
            "expected a failure starting {expected:?} in {failures:#?}"
        );
    }
}
