//! JSON that keeps its key order: check (a) compares the example request with the serialized
//! request object by object, and reports the first object whose keys come in another order.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// A JSON value whose objects keep their keys in document order, whatever serde_json's features.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ordered {
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
pub(crate) fn order_difference(a: &Ordered, b: &Ordered, path: &str) -> Option<String> {
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
