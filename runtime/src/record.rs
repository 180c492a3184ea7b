//! Table-driven serde for the generated objects.
//!
//! `#[derive(Serialize, Deserialize)]` writes, for every struct, a field-name enum with three
//! visitor methods, a sequence visitor, a map visitor with per-field duplicate and missing checks
//! and a wrapper type per `deserialize_with` field: several hundred lines of generic code that
//! rustc type-checks, borrow-checks and stores in the crate metadata for each of the hundreds of
//! request and response types. Here there is one generic visitor instead, and per type the
//! generator emits a [`Shape`] (names on the wire), a tuple of [`Slot`]s (how each field is read)
//! and a chained [`Writer`] expression. Measured on 200 six-field structs, the serde part builds
//! about three times faster than serde_derive's.
//!
//! The wire behaviour is serde_derive's for the attributes the generator used (the test
//! `tests/record.rs` reads and writes the same JSON both ways): fields by wire name, optional
//! fields absent when unset and `null`-tolerant when read, unknown keys skipped (or refused with
//! serde's own `unknown field` message for objects that are only sent, and for objects both sent
//! and received while they are read inside one only sent: see [`Shape::deny_unknown`]),
//! `duplicate field` and
//! `missing field` errors in serde's words, and keys read with `deserialize_identifier` so
//! `serde_path_to_error` still names the failing field. One difference: an array is read as an
//! object only when empty (serde_derive would read a full array by position; DingTalk never
//! sends one).
//!
//! Generated code only: nothing here is part of the crate's documented interface.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::primitives::deserialize_lenient_i64;

/// One field while its object is read: what it holds, how it reads a value, and what it gives
/// at the end.
pub trait Slot: Default {
    /// The field's value in the object.
    type Value;
    /// Reads the field's value from `map` (its key has just been read).
    fn read<'de, A: MapAccess<'de>>(&mut self, map: &mut A) -> Result<(), A::Error>;
    /// The value, or `Err(wire)` (the field's wire name) when a required field was not read.
    fn finish(self, wire: &'static str) -> Result<Self::Value, &'static str>;
}

/// A required field: `null` is refused like any value of the wrong type.
pub struct Required<T>(Option<T>);

/// An optional field: absent or `null` leaves it unset.
pub struct Optional<T>(Option<T>);

/// An optional integer that may arrive as a numeric string (`errcode`).
#[derive(Default)]
pub struct Lenient(Option<i64>);

impl<T> Default for Required<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<T> Default for Optional<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<T: for<'de> Deserialize<'de>> Slot for Required<T> {
    type Value = T;
    fn read<'de, A: MapAccess<'de>>(&mut self, map: &mut A) -> Result<(), A::Error> {
        self.0 = Some(map.next_value()?);
        Ok(())
    }
    fn finish(self, wire: &'static str) -> Result<T, &'static str> {
        self.0.ok_or(wire)
    }
}

impl<T: for<'de> Deserialize<'de>> Slot for Optional<T> {
    type Value = Option<T>;
    fn read<'de, A: MapAccess<'de>>(&mut self, map: &mut A) -> Result<(), A::Error> {
        self.0 = map.next_value()?;
        Ok(())
    }
    fn finish(self, _: &'static str) -> Result<Option<T>, &'static str> {
        Ok(self.0)
    }
}

impl Slot for Lenient {
    type Value = Option<i64>;
    fn read<'de, A: MapAccess<'de>>(&mut self, map: &mut A) -> Result<(), A::Error> {
        self.0 = map.next_value_seed(LenientI64)?;
        Ok(())
    }
    fn finish(self, _: &'static str) -> Result<Option<i64>, &'static str> {
        Ok(self.0)
    }
}

/// The fields of an object, in declaration order: a tuple of up to 16 [`Slot`]s, or for a
/// larger object a [`Chain`] of such tuples.
pub trait Slots {
    /// The values, a tuple of the same shape.
    type Values;
    /// How many fields.
    const LEN: usize;
    /// Every field unread.
    fn empty() -> Self;
    /// Reads field `index` from `map`.
    fn read<'de, A: MapAccess<'de>>(&mut self, index: usize, map: &mut A) -> Result<(), A::Error>;
    /// The values; `wire` holds the fields' wire names, to name a missing required one.
    fn finish(self, wire: &'static [&'static str]) -> Result<Self::Values, &'static str>;
}

/// The first fields of an object (a tuple of 16), then the rest.
pub struct Chain<Head, Tail>(Head, Tail);

impl<Head: Slots, Tail: Slots> Slots for Chain<Head, Tail> {
    type Values = (Head::Values, Tail::Values);
    const LEN: usize = Head::LEN + Tail::LEN;
    fn empty() -> Self {
        Chain(Head::empty(), Tail::empty())
    }
    fn read<'de, A: MapAccess<'de>>(&mut self, index: usize, map: &mut A) -> Result<(), A::Error> {
        match index.checked_sub(Head::LEN) {
            None => self.0.read(index, map),
            Some(rest) => self.1.read(rest, map),
        }
    }
    fn finish(self, wire: &'static [&'static str]) -> Result<Self::Values, &'static str> {
        let (head, tail) = wire.split_at(Head::LEN.min(wire.len()));
        Ok((self.0.finish(head)?, self.1.finish(tail)?))
    }
}

/// `Slots` for the tuple `($slot, …)`.
macro_rules! slots {
    ($len:literal: $($slot:ident $index:tt),+) => {
        impl<$($slot: Slot),+> Slots for ($($slot,)+) {
            type Values = ($($slot::Value,)+);
            const LEN: usize = $len;
            fn empty() -> Self {
                ($($slot::default(),)+)
            }
            fn read<'de, A: MapAccess<'de>>(
                &mut self,
                index: usize,
                map: &mut A,
            ) -> Result<(), A::Error> {
                match index {
                    $($index => self.$index.read(map),)+
                    _ => Ok(()),
                }
            }
            fn finish(self, wire: &'static [&'static str]) -> Result<Self::Values, &'static str> {
                Ok(($(self.$index.finish(wire.get($index).copied().unwrap_or_default())?,)+))
            }
        }
    };
}

slots!(1: S0 0);
slots!(2: S0 0, S1 1);
slots!(3: S0 0, S1 1, S2 2);
slots!(4: S0 0, S1 1, S2 2, S3 3);
slots!(5: S0 0, S1 1, S2 2, S3 3, S4 4);
slots!(6: S0 0, S1 1, S2 2, S3 3, S4 4, S5 5);
slots!(7: S0 0, S1 1, S2 2, S3 3, S4 4, S5 5, S6 6);
slots!(8: S0 0, S1 1, S2 2, S3 3, S4 4, S5 5, S6 6, S7 7);
slots!(9: S0 0, S1 1, S2 2, S3 3, S4 4, S5 5, S6 6, S7 7, S8 8);
slots!(10: S0 0, S1 1, S2 2, S3 3, S4 4, S5 5, S6 6, S7 7, S8 8, S9 9);
slots!(11: S0 0, S1 1, S2 2, S3 3, S4 4, S5 5, S6 6, S7 7, S8 8, S9 9, S10 10);
slots!(12: S0 0, S1 1, S2 2, S3 3, S4 4, S5 5, S6 6, S7 7, S8 8, S9 9, S10 10, S11 11);
slots!(13: S0 0, S1 1, S2 2, S3 3, S4 4, S5 5, S6 6, S7 7, S8 8, S9 9, S10 10, S11 11, S12 12);
slots!(14: S0 0, S1 1, S2 2, S3 3, S4 4, S5 5, S6 6, S7 7, S8 8, S9 9, S10 10, S11 11, S12 12, S13 13);
slots!(15: S0 0, S1 1, S2 2, S3 3, S4 4, S5 5, S6 6, S7 7, S8 8, S9 9, S10 10, S11 11, S12 12, S13 13, S14 14);
slots!(16: S0 0, S1 1, S2 2, S3 3, S4 4, S5 5, S6 6, S7 7, S8 8, S9 9, S10 10, S11 11, S12 12, S13 13, S14 14, S15 15);

/// An object without fields.
impl Slots for () {
    type Values = ();
    const LEN: usize = 0;
    fn empty() -> Self {}
    fn read<'de, A: MapAccess<'de>>(&mut self, _: usize, _: &mut A) -> Result<(), A::Error> {
        Ok(())
    }
    fn finish(self, _: &'static [&'static str]) -> Result<(), &'static str> {
        Ok(())
    }
}

/// How an object is named and keyed on the wire.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// The object's Rust name, for "expected struct …".
    pub name: &'static str,
    /// The wire names, in declaration order (the order of the [`Slots`]).
    pub wire: &'static [&'static str],
    /// Whether a key not in `wire` is refused (objects only ever sent, where it would be lost)
    /// instead of skipped (answers, which DingTalk may extend). An object both sent and received
    /// has `false` and refuses unknown keys only while it is read inside an object that has
    /// `true`: as part of a request (what the command and the fake read), not of an answer.
    pub deny_unknown: bool,
}

thread_local! {
    /// How many objects that refuse unknown keys are being read on this thread, one inside the
    /// other (reading is synchronous, so a thread is one reading).
    static SENT_DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Marks the thread as reading an object that is only sent, until dropped.
struct ReadingSent;

impl ReadingSent {
    fn enter() -> ReadingSent {
        SENT_DEPTH.with(|depth| depth.set(depth.get().saturating_add(1)));
        ReadingSent
    }
}

impl Drop for ReadingSent {
    fn drop(&mut self) {
        SENT_DEPTH.with(|depth| depth.set(depth.get().saturating_sub(1)));
    }
}

/// Whether an object being read must refuse unknown keys: it is only sent, or it is read
/// inside one that is.
fn refuses_unknown(shape: &Shape) -> bool {
    shape.deny_unknown || SENT_DEPTH.with(|depth| depth.get() > 0)
}

/// `Deserialize::deserialize` of a generated object: its field values, in declaration order.
pub fn read<'de, S: Slots, D: Deserializer<'de>>(
    d: D,
    shape: &'static Shape,
) -> Result<S::Values, D::Error> {
    debug_assert_eq!(S::LEN, shape.wire.len(), "{}", shape.name);
    d.deserialize_struct(
        shape.name,
        shape.wire,
        ObjectVisitor::<S>(shape, PhantomData),
    )
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
struct ObjectVisitor<S>(&'static Shape, PhantomData<S>);

impl<'de, S: Slots> Visitor<'de> for ObjectVisitor<S> {
    type Value = S::Values;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", self.0.name)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<S::Values, A::Error> {
        let shape = self.0;
        let mut slots = S::empty();
        let mut seen = Seen::default();
        let key = KeySeed {
            wire: shape.wire,
            deny: refuses_unknown(shape),
        };
        let _reading = shape.deny_unknown.then(ReadingSent::enter);
        while let Some(index) = map.next_key_seed(key)? {
            match index {
                Some(i) => {
                    if !seen.insert(i) {
                        return Err(de::Error::duplicate_field(shape.wire[i]));
                    }
                    slots.read(i, &mut map)?;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        slots.finish(shape.wire).map_err(de::Error::missing_field)
    }

    /// `[]` stands for an object with every field unset, as with serde_derive (some gateways
    /// write an empty object that way); a non-empty array is refused, not read by position.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<S::Values, A::Error> {
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        S::empty()
            .finish(self.0.wire)
            .map_err(de::Error::missing_field)
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

/// [`deserialize_lenient_i64`] as a seed, for [`Lenient`].
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
