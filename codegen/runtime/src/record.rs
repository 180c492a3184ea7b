//! Table-driven serde for the generated objects.
//!
//! `#[derive(Serialize, Deserialize)]` writes, for every struct, a field-name enum with three
//! visitor methods, a sequence visitor, a map visitor with per-field duplicate and missing checks
//! and a wrapper type per `deserialize_with` field: several hundred lines of generic code that
//! rustc type-checks, borrow-checks and stores in the crate metadata for each of the hundreds of
//! request and response types. Measured on 200 six-field structs, that is three times the build
//! time of this module's approach: one generic visitor here, and per type only a field table, a
//! `match` from field index to a reader call, and a chained writer expression.
//!
//! The wire behaviour is serde_derive's for the attributes the generator used (the test
//! `tests/record.rs` reads and writes the same JSON both ways): fields by wire name, optional fields absent when unset and `null`-tolerant when read, unknown keys skipped
//! (or refused with serde's own `unknown field` message for objects that are only sent), a
//! `duplicate field` / `missing field` error in serde's words, and keys read with
//! `deserialize_identifier` so `serde_path_to_error` still names the failing field. One difference: an array is read as an
//! object only when empty (serde_derive would read a full array by position; DingTalk never
//! sends one).
//!
//! Generated code only: nothing here is part of the crate's documented interface.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::primitives::deserialize_lenient_i64;

/// The fields of one generated object while it is being read.
///
/// Implemented by the object itself when every field is optional (it starts as `Default`), else
/// by a local struct of `Option`s that [`finish`](Fields::finish) turns into the object.
pub trait Fields: Default {
    /// The object these fields build.
    type Object;
    /// The object's Rust name, for "expected struct …".
    const NAME: &'static str;
    /// The wire names, in declaration order; [`read`](Fields::read) gets an index into this.
    const WIRE: &'static [&'static str];
    /// Whether a key not in [`WIRE`](Fields::WIRE) is refused (objects only ever sent, where
    /// it would be lost) instead of skipped (answers, which DingTalk may extend).
    const DENY_UNKNOWN: bool;
    /// Reads the value of field `index` (its wire name is `WIRE[index]`) from `map`.
    fn read<'de, A: MapAccess<'de>>(&mut self, index: usize, map: &mut A) -> Result<(), A::Error>;
    /// The object, or the wire name of a required field that was not read.
    fn finish(self) -> Result<Self::Object, &'static str>;
}

/// `Deserialize::deserialize` of a generated object.
pub fn deserialize<'de, F: Fields, D: Deserializer<'de>>(d: D) -> Result<F::Object, D::Error> {
    d.deserialize_struct(F::NAME, F::WIRE, ObjectVisitor::<F>(PhantomData))
}

/// Reads a required field: `null` is refused like any value of the wrong type.
pub fn required<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
) -> Result<(), A::Error> {
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Reads an optional field: `null` leaves it unset.
pub fn optional<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
) -> Result<(), A::Error> {
    *slot = map.next_value()?;
    Ok(())
}

/// Reads an integer that may arrive as a numeric string (`errcode`); `null` leaves it unset.
pub fn lenient_i64<'de, A: MapAccess<'de>>(
    slot: &mut Option<i64>,
    map: &mut A,
) -> Result<(), A::Error> {
    *slot = map.next_value_seed(LenientI64)?;
    Ok(())
}

/// Starts writing a generated object with `len` fields; chain [`Writer::field`] and
/// [`Writer::optional`] and finish with [`Writer::end`].
pub fn writer<S: Serializer>(serializer: S, name: &'static str, len: usize) -> Writer<S> {
    Writer {
        state: serializer.serialize_struct(name, len),
    }
}

/// A struct being written; the first error is kept and every later call is skipped, so the
/// generated code is one expression without a `?` per field.
pub struct Writer<S: Serializer> {
    state: Result<S::SerializeStruct, S::Error>,
}

impl<S: Serializer> Writer<S> {
    /// Writes a field that is always present.
    pub fn field<T: Serialize + ?Sized>(mut self, key: &'static str, value: &T) -> Self {
        if let Ok(s) = &mut self.state
            && let Err(e) = s.serialize_field(key, value)
        {
            self.state = Err(e);
        }
        self
    }

    /// Writes an optional field when it is set; an unset one is left off the wire.
    pub fn optional<T: Serialize>(mut self, key: &'static str, value: &Option<T>) -> Self {
        match value {
            Some(v) => self.field(key, v),
            None => {
                if let Ok(s) = &mut self.state
                    && let Err(e) = s.skip_field(key)
                {
                    self.state = Err(e);
                }
                self
            }
        }
    }

    /// Ends the struct.
    pub fn end(self) -> Result<S::Ok, S::Error> {
        self.state?.end()
    }
}

/// The one map visitor every generated object is read with.
struct ObjectVisitor<F>(PhantomData<F>);

impl<'de, F: Fields> Visitor<'de> for ObjectVisitor<F> {
    type Value = F::Object;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", F::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<F::Object, A::Error> {
        let mut fields = F::default();
        let mut seen = Seen::default();
        let key = KeySeed {
            wire: F::WIRE,
            deny: F::DENY_UNKNOWN,
        };
        while let Some(index) = map.next_key_seed(key)? {
            match index {
                Some(i) => {
                    if !seen.insert(i) {
                        return Err(de::Error::duplicate_field(F::WIRE[i]));
                    }
                    fields.read(i, &mut map)?;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        fields.finish().map_err(de::Error::missing_field)
    }

    /// `[]` stands for an object with every field unset, as with serde_derive (some gateways
    /// write an empty object that way); a non-empty array is refused, not read by position.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<F::Object, A::Error> {
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        F::default().finish().map_err(de::Error::missing_field)
    }
}

/// Which fields have been read: one word inline, more only for objects past 64 fields.
#[derive(Default)]
struct Seen {
    low: u64,
    high: Vec<u64>,
}

impl Seen {
    /// Marks field `i`; false when it was already marked.
    fn insert(&mut self, i: usize) -> bool {
        let (word, bit) = (i / 64, 1u64 << (i % 64));
        let slot = if word == 0 {
            &mut self.low
        } else {
            if self.high.len() < word {
                self.high.resize(word, 0);
            }
            &mut self.high[word - 1]
        };
        let fresh = *slot & bit == 0;
        *slot |= bit;
        fresh
    }
}

/// Reads a key as its index in the wire-name table (`None`: not a field of the object).
#[derive(Clone, Copy)]
struct KeySeed {
    wire: &'static [&'static str],
    deny: bool,
}

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        match self.wire.iter().position(|w| *w == key) {
            Some(i) => Ok(Some(i)),
            None if self.deny => Err(E::unknown_field(key, self.wire)),
            None => Ok(None),
        }
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<Option<usize>, E> {
        match std::str::from_utf8(key) {
            Ok(key) => self.visit_str(key),
            Err(_) if self.deny => Err(E::unknown_field(&String::from_utf8_lossy(key), self.wire)),
            Err(_) => Ok(None),
        }
    }

    fn visit_u64<E: de::Error>(self, index: u64) -> Result<Option<usize>, E> {
        // Formats that write field indices instead of names (serde_derive accepts them too).
        match usize::try_from(index).ok().filter(|i| *i < self.wire.len()) {
            Some(i) => Ok(Some(i)),
            None if self.deny => Err(E::invalid_value(
                de::Unexpected::Unsigned(index),
                &"a field index",
            )),
            None => Ok(None),
        }
    }
}

/// [`deserialize_lenient_i64`] as a seed, for [`lenient_i64`].
struct LenientI64;

impl<'de> DeserializeSeed<'de> for LenientI64 {
    type Value = Option<i64>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<i64>, D::Error> {
        deserialize_lenient_i64(d)
    }
}

#[cfg(test)]
mod tests {
    use super::Seen;

    #[test]
    fn seen_marks_each_field_once_past_the_first_word() {
        let mut seen = Seen::default();
        for i in [0, 1, 63, 64, 65, 127, 128, 300] {
            assert!(seen.insert(i), "first {i}");
        }
        for i in [0, 1, 63, 64, 65, 127, 128, 300] {
            assert!(!seen.insert(i), "second {i}");
        }
        assert!(seen.insert(2) && seen.insert(129) && seen.insert(299));
    }
}
