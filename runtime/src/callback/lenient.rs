//! The lenient readers of the callback payloads: DingTalk writes some keys as a JSON number in
//! one message and as a string in another (`TimeStamp`, identifiers, `createTime`), so each is
//! accepted in either form rather than refused. The messages of these readers name JSON types
//! rather than values (events carry personal data), and `CallbackEvent` does not log them.

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::primitives::{EpochMillis, deserialize_lenient_i64};

/// A `TimeStamp` (or `timeStamp`) as DingTalk sent it: Unix milliseconds, written as a JSON
/// number in some messages and as a string in others. The digits are kept as they came.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventTimeStamp(String);

impl EventTimeStamp {
    /// A time stamp holding `value` as given (normally the decimal milliseconds).
    pub fn new(value: impl Into<String>) -> Self {
        EventTimeStamp(value.into())
    }

    /// The value as sent (a number is written out in decimal).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value as a point in time, when it is a whole number of milliseconds.
    pub fn millis(&self) -> Option<EpochMillis> {
        self.0.trim().parse::<i64>().ok().map(EpochMillis)
    }
}

impl fmt::Display for EventTimeStamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EventTimeStamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(EventTimeStamp(s)),
            Value::Number(n) => Ok(EventTimeStamp(n.to_string())),
            other => Err(D::Error::custom(format!(
                "a time stamp is a number or a string, not {}",
                kind(&other)
            ))),
        }
    }
}

/// The JSON type of `v`, for error messages (never its value: events hold personal data).
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An identifier sent as a string or a number.
fn id_text(v: Value) -> Result<String, &'static str> {
    match v {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(kind(&other)),
    }
}

/// A required string (numbers accepted).
pub(super) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    id_text(Value::deserialize(d)?)
        .map_err(|k| D::Error::custom(format!("expected a string or a number, found {k}")))
}

/// An optional string (numbers accepted, `null` is absent).
pub(super) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        v => id_text(v)
            .map(Some)
            .map_err(|k| D::Error::custom(format!("expected a string or a number, found {k}"))),
    }
}

/// Identifiers: an array of strings or numbers, or one of them alone; `null` is none.
pub(super) fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let items = match Value::deserialize(d)? {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        one => vec![one],
    };
    items
        .into_iter()
        .map(id_text)
        .collect::<Result<_, _>>()
        .map_err(|k| D::Error::custom(format!("expected identifiers, found {k} in the list")))
}

/// Integer identifiers: an array of integers or numeric strings, or one alone; `null` is none.
pub(super) fn int_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    let items = match Value::deserialize(d)? {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        one => vec![one],
    };
    items
        .into_iter()
        .map(|v| match &v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
        .collect::<Option<_>>()
        .ok_or_else(|| D::Error::custom("expected a list of integer identifiers"))
}

/// Strings of JSON text; an element sent as an object instead is kept as its JSON text.
pub(super) fn json_text_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => Ok(items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect()),
        other => Err(D::Error::custom(format!(
            "expected a list, found {}",
            kind(&other)
        ))),
    }
}

/// Unix milliseconds sent as a number or a numeric string; `null` is absent.
pub(super) fn opt_millis<'de, D: Deserializer<'de>>(d: D) -> Result<Option<EpochMillis>, D::Error> {
    deserialize_lenient_i64(d).map(|ms| ms.map(EpochMillis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_stamps_keep_their_text_and_read_as_millis() {
        for json in [r#""1685501863357""#, "1685501863357"] {
            let t: EventTimeStamp = serde_json::from_str(json).unwrap();
            assert_eq!(t.as_str(), "1685501863357");
            assert_eq!(t.millis(), Some(EpochMillis(1_685_501_863_357)));
        }
        let odd: EventTimeStamp = serde_json::from_str(r#""soon""#).unwrap();
        assert_eq!((odd.as_str(), odd.millis()), ("soon", None));
        assert!(serde_json::from_str::<EventTimeStamp>("[1]").is_err());
    }

    #[test]
    fn identifier_lists_are_read_leniently() {
        #[derive(Deserialize)]
        struct Lists {
            #[serde(default, deserialize_with = "string_list")]
            users: Vec<String>,
            #[serde(default, deserialize_with = "int_list")]
            depts: Vec<i64>,
        }
        let read: Lists = serde_json::from_str(r#"{"users":["a",12],"depts":[1,"2"]}"#).unwrap();
        assert_eq!(
            (read.users, read.depts),
            (vec!["a".into(), "12".into()], vec![1, 2])
        );
        let single: Lists = serde_json::from_str(r#"{"users":"a","depts":7}"#).unwrap();
        assert_eq!((single.users, single.depts), (vec!["a".into()], vec![7]));
        let none: Lists = serde_json::from_str(r#"{"users":null}"#).unwrap();
        assert!(none.users.is_empty() && none.depts.is_empty());
        assert!(serde_json::from_str::<Lists>(r#"{"depts":["x"]}"#).is_err());
        assert!(serde_json::from_str::<Lists>(r#"{"users":[{}]}"#).is_err());
    }
}
