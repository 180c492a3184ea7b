//! Wire types the DingTalk tables use beyond JSON's own: epoch milliseconds, `yyyy-MM-dd HH:mm:ss`
//! times, comma-joined lists, open enums and secrets.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A point in time as DingTalk writes it in report and check-in fields: Unix milliseconds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct EpochMillis(pub i64);

impl EpochMillis {
    /// The current time.
    pub fn now() -> Self {
        SystemTime::now().into()
    }

    /// The value in milliseconds since 1970-01-01T00:00:00Z.
    pub const fn as_millis(self) -> i64 {
        self.0
    }
}

impl From<i64> for EpochMillis {
    fn from(ms: i64) -> Self {
        EpochMillis(ms)
    }
}

impl From<SystemTime> for EpochMillis {
    fn from(t: SystemTime) -> Self {
        let ms = match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
        };
        EpochMillis(ms)
    }
}

impl From<EpochMillis> for SystemTime {
    fn from(t: EpochMillis) -> Self {
        if t.0 >= 0 {
            UNIX_EPOCH + Duration::from_millis(t.0.unsigned_abs())
        } else {
            UNIX_EPOCH - Duration::from_millis(t.0.unsigned_abs())
        }
    }
}

impl fmt::Display for EpochMillis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A wall-clock time written `yyyy-MM-dd HH:mm:ss` in GMT+8, as blackboard and comment times are.
///
/// Deserializing keeps whatever string DingTalk sent (answers are never rejected for their
/// format); [`DateTime::parse`] and a request's `validate()` check the format.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DateTime(String);

/// The error of [`DateTime::parse`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a time of the form yyyy-MM-dd HH:mm:ss")]
pub struct DateTimeError(String);

impl DateTime {
    /// The format DingTalk uses, for messages.
    pub const FORMAT: &'static str = "yyyy-MM-dd HH:mm:ss";

    /// Checks and keeps a `yyyy-MM-dd HH:mm:ss` string.
    pub fn parse(s: &str) -> Result<Self, DateTimeError> {
        let t = DateTime(s.to_owned());
        match t.fields() {
            Some(_) => Ok(t),
            None => Err(DateTimeError(s.to_owned())),
        }
    }

    /// Builds a time from its parts; `None` when a part is out of range.
    pub fn from_parts(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> Option<Self> {
        let s = format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}");
        DateTime::parse(&s).ok()
    }

    /// The string as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the string has the documented form.
    pub fn is_well_formed(&self) -> bool {
        self.fields().is_some()
    }

    /// Seconds since the Unix epoch, reading the time as GMT+8; `None` when not well formed.
    pub fn unix_seconds(&self) -> Option<i64> {
        let [y, mo, d, h, mi, s] = self.fields()?;
        Some(days_from_civil(y, mo, d) * 86_400 + h * 3_600 + mi * 60 + s - 8 * 3_600)
    }

    fn fields(&self) -> Option<[i64; 6]> {
        let b = self.0.as_bytes();
        if b.len() != 19
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b' '
            || b[13] != b':'
            || b[16] != b':'
        {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            b[r].iter().try_fold(0i64, |acc, c| {
                c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
            })
        };
        let f = [
            num(0..4)?,
            num(5..7)?,
            num(8..10)?,
            num(11..13)?,
            num(14..16)?,
            num(17..19)?,
        ];
        let [y, mo, d, h, mi, s] = f;
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let month_days = [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        let ok = (1..=12).contains(&mo)
            && d >= 1
            && d <= month_days[(mo - 1) as usize]
            && h < 24
            && mi < 60
            && s < 60;
        ok.then_some(f)
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for DateTime {
    type Err = DateTimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse(s)
    }
}

/// A value that can sit in a [`CommaList`].
pub trait ListItem: Sized {
    /// Writes the item as it appears between the commas.
    fn write_item(&self, out: &mut String);
    /// Reads one item; the error says what was expected.
    fn parse_item(s: &str) -> Result<Self, String>;
}

impl ListItem for String {
    fn write_item(&self, out: &mut String) {
        out.push_str(self);
    }
    fn parse_item(s: &str) -> Result<Self, String> {
        Ok(s.to_owned())
    }
}

macro_rules! int_list_item {
    ($($t:ty),*) => {$(
        impl ListItem for $t {
            fn write_item(&self, out: &mut String) {
                use std::fmt::Write;
                let _ = write!(out, "{self}");
            }
            fn parse_item(s: &str) -> Result<Self, String> {
                s.trim().parse().map_err(|_| format!("`{s}` is not an integer"))
            }
        }
    )*};
}
int_list_item!(i32, i64);

/// A list sent as one string with its items joined by `,` (queryonjob `status_list`, checkin
/// `userid_list`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct CommaList<T>(pub Vec<T>);

impl<T> CommaList<T> {
    /// The number of items.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The items.
    pub fn items(&self) -> &[T] {
        &self.0
    }
}

impl<T> From<Vec<T>> for CommaList<T> {
    fn from(v: Vec<T>) -> Self {
        CommaList(v)
    }
}

impl<T, const N: usize> From<[T; N]> for CommaList<T> {
    fn from(v: [T; N]) -> Self {
        CommaList(v.into())
    }
}

impl<T> IntoIterator for CommaList<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a CommaList<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T> FromIterator<T> for CommaList<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        CommaList(iter.into_iter().collect())
    }
}

impl<T: ListItem> fmt::Display for CommaList<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for (i, item) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.write_item(&mut out);
        }
        f.write_str(&out)
    }
}

impl<T: ListItem> Serialize for CommaList<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de, T: ListItem> Deserialize<'de> for CommaList<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<T: ListItem> Visitor<'_> for V<T> {
            type Value = CommaList<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a comma-separated string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                if s.is_empty() {
                    return Ok(CommaList(Vec::new()));
                }
                s.split(',')
                    .map(|p| T::parse_item(p).map_err(E::custom))
                    .collect()
            }
        }
        d.deserialize_str(V(PhantomData))
    }
}

/// A DingTalk value set that may grow: the generated enums implement this, keep values they do
/// not know, and write them back unchanged.
///
/// `#[derive(OpenEnum)]` (this crate's, from `dingtalk-openapi-derive`) writes it, with
/// equality and hashing by wire value, `From` the wire value and serde, for an enum of unit
/// variants marked with their wire values (`#[open_enum(20)]`) and one `Unknown(i64)` (or
/// `Unknown(String)`) variant.
pub trait OpenEnum: Sized {
    /// The wire representation (`i64` or `String`).
    type Repr: Serialize + for<'de> Deserialize<'de> + ListItem;
    /// The enum for a wire value; unknown values are kept.
    fn from_repr(value: Self::Repr) -> Self;
    /// The wire value.
    fn to_repr(&self) -> Self::Repr;
}

pub use dingtalk_openapi_derive::OpenEnum;

impl<E: OpenEnum> ListItem for E {
    fn write_item(&self, out: &mut String) {
        self.to_repr().write_item(out);
    }
    fn parse_item(s: &str) -> Result<Self, String> {
        E::Repr::parse_item(s).map(E::from_repr)
    }
}

/// Serializes an open enum as its wire value; called by generated `Serialize` impls.
pub fn serialize_open_enum<E: OpenEnum, S: Serializer>(value: &E, s: S) -> Result<S::Ok, S::Error> {
    value.to_repr().serialize(s)
}

/// Deserializes an open enum from its wire value; called by generated `Deserialize` impls.
pub fn deserialize_open_enum<'de, E: OpenEnum, D: Deserializer<'de>>(d: D) -> Result<E, D::Error> {
    E::Repr::deserialize(d).map(E::from_repr)
}

/// Reads an optional integer that DingTalk may send as a number or as a numeric string (the
/// group robot's `errcode`); generated code uses it for envelope codes.
pub fn deserialize_lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer or a numeric string")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            i64::try_from(v)
                .map(Some)
                .map_err(|_| E::custom(format!("{v} is out of range")))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            v.trim()
                .parse()
                .map(Some)
                .map_err(|_| E::custom(format!("`{v}` is not an integer")))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(V)
        }
    }
    d.deserialize_any(V)
}

/// A credential (app secret, access token, robot secret): sent on the wire as it is, but never
/// shown by `Debug`; read it with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself; take care where it goes.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_reads_gmt8() {
        let t = DateTime::parse("1970-01-01 08:00:00").unwrap();
        assert_eq!(t.unix_seconds(), Some(0));
        let t = DateTime::parse("2019-10-07 10:10:10").unwrap();
        assert_eq!(t.unix_seconds(), Some(1_570_414_210));
    }

    #[test]
    fn datetime_rejects_bad_forms() {
        for bad in [
            "2019-10-07T10:10:10",
            "2019-13-01 00:00:00",
            "2019-02-29 00:00:00",
            "2019-10-07 24:00:00",
            "x",
        ] {
            assert!(DateTime::parse(bad).is_err(), "{bad}");
        }
        assert!(DateTime::parse("2020-02-29 23:59:59").is_ok());
    }

    #[test]
    fn comma_list_round_trips() {
        let l: CommaList<i64> = vec![2, 3, 5, -1].into();
        let json = serde_json::to_string(&l).unwrap();
        assert_eq!(json, r#""2,3,5,-1""#);
        let back: CommaList<i64> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, l);
        let empty: CommaList<String> = serde_json::from_str(r#""""#).unwrap();
        assert!(empty.is_empty());
        assert!(serde_json::from_str::<CommaList<i64>>(r#""1,x""#).is_err());
    }

    #[test]
    fn lenient_integers() {
        #[derive(Deserialize)]
        struct E {
            #[serde(default, deserialize_with = "deserialize_lenient_i64")]
            errcode: Option<i64>,
        }
        for (json, want) in [
            (r#"{"errcode":0}"#, Some(0)),
            (r#"{"errcode":"310000"}"#, Some(310_000)),
            (r#"{"errcode":null}"#, None),
            ("{}", None),
        ] {
            assert_eq!(
                serde_json::from_str::<E>(json).unwrap().errcode,
                want,
                "{json}"
            );
        }
        assert!(serde_json::from_str::<E>(r#"{"errcode":"x"}"#).is_err());
    }

    #[test]
    fn secret_hides_in_debug() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""hunter2""#);
    }

    #[test]
    fn epoch_millis_from_system_time() {
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        assert_eq!(EpochMillis::from(t).as_millis(), 1_700_000_000_123);
        assert_eq!(SystemTime::from(EpochMillis(1_700_000_000_123)), t);
    }
}
