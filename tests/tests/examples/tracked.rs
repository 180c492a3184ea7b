//! Which keys a type ignores: a deserializer over a [`Value`] that records the path of every value
//! the target type skips, so check (c) sees a documented response field that no field receives.

use std::cell::RefCell;

use serde::de::value::StrDeserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// Deserializes from a [`Value`] like serde_json does, recording the path of every value the
/// target type skips (unknown fields). `Operation::Response` is only `DeserializeOwned`, so this
/// is how a generic check sees that a documented response field was dropped.
struct Tracked<'a> {
    value: &'a Value,
    path: String,
    ignored: &'a RefCell<Vec<String>>,
}

/// Deserializes `T` from `value`; the paths of the values it ignored, or the error.
pub(crate) fn deserialize_tracked<T: DeserializeOwned>(
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
