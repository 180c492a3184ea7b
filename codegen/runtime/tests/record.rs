//! The table-driven serde of `record` against serde_derive: the same JSON, read and written by a
//! derived struct and by the code the generator emits for it, gives the same values, the same
//! bytes and the same error messages, including the field paths `serde_path_to_error` reports.

use dingtalk_runtime::primitives::deserialize_lenient_i64;
use dingtalk_runtime::record;
use serde::{Deserialize, Serialize};

/// An object only ever sent: required and optional fields, a rename, a nested object.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DerivedRequest {
    name: String,
    #[serde(rename = "pageSize", default, skip_serializing_if = "Option::is_none")]
    page_size: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<String>>,
    inner: DerivedInner,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DerivedInner {
    id: i64,
}

/// An answer: every field optional, unknown keys skipped, a lenient `errcode`.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct DerivedResponse {
    #[serde(
        deserialize_with = "deserialize_lenient_i64",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    errcode: Option<i64>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    result: Option<Vec<DerivedInner>>,
}

// What the generator emits for the same three objects.

#[derive(Debug, PartialEq)]
struct TableRequest {
    name: String,
    page_size: Option<i64>,
    tags: Option<Vec<String>>,
    inner: TableInner,
}

impl Serialize for TableRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        record::writer(serializer, "Request", 4)
            .field("name", &self.name)
            .optional("pageSize", &self.page_size)
            .optional("tags", &self.tags)
            .field("inner", &self.inner)
            .end()
    }
}

impl<'de> Deserialize<'de> for TableRequest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Default)]
        struct Wire {
            name: Option<String>,
            page_size: Option<i64>,
            tags: Option<Vec<String>>,
            inner: Option<TableInner>,
        }
        impl record::Fields for Wire {
            type Object = TableRequest;
            const NAME: &'static str = "Request";
            const WIRE: &'static [&'static str] = &["name", "pageSize", "tags", "inner"];
            const DENY_UNKNOWN: bool = true;
            fn read<'de, A: serde::de::MapAccess<'de>>(
                &mut self,
                index: usize,
                map: &mut A,
            ) -> Result<(), A::Error> {
                match index {
                    0 => record::required(&mut self.name, map),
                    1 => record::optional(&mut self.page_size, map),
                    2 => record::optional(&mut self.tags, map),
                    3 => record::required(&mut self.inner, map),
                    _ => Ok(()),
                }
            }
            fn finish(self) -> Result<TableRequest, &'static str> {
                Ok(TableRequest {
                    name: self.name.ok_or("name")?,
                    page_size: self.page_size,
                    tags: self.tags,
                    inner: self.inner.ok_or("inner")?,
                })
            }
        }
        record::deserialize::<Wire, D>(deserializer)
    }
}

#[derive(Debug, PartialEq)]
struct TableInner {
    id: i64,
}

impl Serialize for TableInner {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        record::writer(serializer, "Inner", 1)
            .field("id", &self.id)
            .end()
    }
}

impl<'de> Deserialize<'de> for TableInner {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Default)]
        struct Wire {
            id: Option<i64>,
        }
        impl record::Fields for Wire {
            type Object = TableInner;
            const NAME: &'static str = "Inner";
            const WIRE: &'static [&'static str] = &["id"];
            const DENY_UNKNOWN: bool = true;
            fn read<'de, A: serde::de::MapAccess<'de>>(
                &mut self,
                index: usize,
                map: &mut A,
            ) -> Result<(), A::Error> {
                match index {
                    0 => record::required(&mut self.id, map),
                    _ => Ok(()),
                }
            }
            fn finish(self) -> Result<TableInner, &'static str> {
                Ok(TableInner {
                    id: self.id.ok_or("id")?,
                })
            }
        }
        record::deserialize::<Wire, D>(deserializer)
    }
}

#[derive(Debug, Default, PartialEq)]
struct TableResponse {
    errcode: Option<i64>,
    kind: Option<String>,
    result: Option<Vec<TableInner>>,
}

impl Serialize for TableResponse {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        record::writer(serializer, "Response", 3)
            .optional("errcode", &self.errcode)
            .optional("type", &self.kind)
            .optional("result", &self.result)
            .end()
    }
}

impl<'de> Deserialize<'de> for TableResponse {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        record::deserialize::<Self, D>(deserializer)
    }
}

impl record::Fields for TableResponse {
    type Object = Self;
    const NAME: &'static str = "Response";
    const WIRE: &'static [&'static str] = &["errcode", "type", "result"];
    const DENY_UNKNOWN: bool = false;
    fn read<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        index: usize,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match index {
            0 => record::lenient_i64(&mut self.errcode, map),
            1 => record::optional(&mut self.kind, map),
            2 => record::optional(&mut self.result, map),
            _ => Ok(()),
        }
    }
    fn finish(self) -> Result<Self, &'static str> {
        Ok(self)
    }
}

/// Reads `json` both ways; on success both write back the same bytes, on failure both fail with
/// the same message at the same path. Returns what happened, for the caller's own checks.
fn same<Derived, Table>(json: &str) -> Result<String, String>
where
    Derived: Serialize + for<'de> Deserialize<'de> + std::fmt::Debug,
    Table: Serialize + for<'de> Deserialize<'de> + std::fmt::Debug,
{
    fn read<T: for<'de> Deserialize<'de>>(json: &str) -> Result<T, String> {
        let mut de = serde_json::Deserializer::from_str(json);
        serde_path_to_error::deserialize(&mut de)
            .map_err(|e| format!("{}: {}", e.path(), e.inner()))
    }
    let derived = read::<Derived>(json);
    let table = read::<Table>(json);
    match (derived, table) {
        (Ok(d), Ok(t)) => {
            let (d, t) = (
                serde_json::to_string(&d).unwrap(),
                serde_json::to_string(&t).unwrap(),
            );
            assert_eq!(d, t, "written back from {json}");
            Ok(t)
        }
        (Err(d), Err(t)) => {
            // serde_derive names the type by its Rust name; the table's NAME is the plain one.
            assert_eq!(
                d.replace("struct Derived", "struct "),
                t,
                "error for {json}"
            );
            Err(t)
        }
        (d, t) => panic!("{json}: serde_derive gave {d:?}, the table gave {t:?}"),
    }
}

#[test]
fn requests_read_and_write_like_serde_derive() {
    let request = same::<DerivedRequest, TableRequest>;
    assert_eq!(
        request(r#"{"inner":{"id":7},"tags":["a"],"name":"n","pageSize":20}"#),
        Ok(r#"{"name":"n","pageSize":20,"tags":["a"],"inner":{"id":7}}"#.to_owned())
    );
    assert_eq!(
        request(r#"{"name":"n","pageSize":null,"inner":{"id":1}}"#),
        Ok(r#"{"name":"n","inner":{"id":1}}"#.to_owned())
    );
    for bad in [
        r#"{"name":"n"}"#,
        r#"{"inner":{"id":1}}"#,
        r#"{"name":null,"inner":{"id":1}}"#,
        r#"{"name":"n","inner":{"id":1},"extra":1}"#,
        r#"{"name":"n","inner":{"id":1,"idx":2}}"#,
        r#"{"name":"n","inner":{"id":"1"}}"#,
        r#"{"name":"n","name":"m","inner":{"id":1}}"#,
        r#"{"name":"n","tags":[1],"inner":{"id":1}}"#,
        r#"{"name":"n","page_size":1,"inner":{"id":1}}"#,
        r#""n""#,
        r#"{"name":"n","inner":{"id":1}"#,
    ] {
        let message = request(bad).expect_err(bad);
        assert!(!message.is_empty(), "{bad}");
    }
}

#[test]
fn responses_tolerate_what_serde_derive_tolerates() {
    let response = same::<DerivedResponse, TableResponse>;
    assert_eq!(
        response(r#"{"errcode":"310000","type":"t","unknown":{"x":[1,2]},"result":[{"id":3}]}"#),
        Ok(r#"{"errcode":310000,"type":"t","result":[{"id":3}]}"#.to_owned())
    );
    assert_eq!(response("{}"), Ok("{}".to_owned()));
    assert_eq!(
        response(r#"{"errcode":null,"type":null}"#),
        Ok("{}".to_owned())
    );
    for bad in [
        r#"{"errcode":"x"}"#,
        r#"{"errcode":1,"errcode":2}"#,
        r#"{"result":[{"id":1},{"id":true}]}"#,
        r#"{"type":5}"#,
        "null",
    ] {
        response(bad).expect_err(bad);
    }
    // `[]` for an empty object, as some gateways write it: every field unset.
    assert_eq!(response("[]"), Ok("{}".to_owned()));
}

#[test]
fn only_an_empty_array_stands_for_an_object() {
    // serde_derive would also read a full array positionally; DingTalk never sends one.
    let err = serde_json::from_str::<TableRequest>(r#"["n"]"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid type: sequence, expected struct Request at line 1 column 5"
    );
    let err = serde_json::from_str::<TableResponse>("[1]").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid type: sequence, expected struct Response at line 1 column 3"
    );
    let err = serde_json::from_str::<TableRequest>("[]").unwrap_err();
    assert_eq!(err.to_string(), "missing field `name` at line 1 column 2");
}

#[test]
fn errors_name_the_field_in_serdes_words() {
    let request = same::<DerivedRequest, TableRequest>;
    assert_eq!(
        request(r#"{"name":"n","inner":{"id":1},"extra":1}"#).unwrap_err(),
        "extra: unknown field `extra`, expected one of `name`, `pageSize`, `tags`, `inner` \
         at line 1 column 36"
    );
    assert_eq!(
        request(r#"{"name":"n"}"#).unwrap_err(),
        ".: missing field `inner` at line 1 column 12"
    );
    assert_eq!(
        request(r#"{"name":"n","inner":{"id":"1"}}"#).unwrap_err(),
        "inner.id: invalid type: string \"1\", expected i64 at line 1 column 29"
    );
}

#[test]
fn objects_read_from_json_values_too() {
    let value = serde_json::json!({"name": "n", "inner": {"id": 2}, "pageSize": 5});
    let table: TableRequest = serde_json::from_value(value.clone()).unwrap();
    let derived: DerivedRequest = serde_json::from_value(value).unwrap();
    assert_eq!(
        serde_json::to_value(&table).unwrap(),
        serde_json::to_value(&derived).unwrap()
    );
    let err = serde_json::from_value::<TableRequest>(serde_json::json!({"name": 1}))
        .unwrap_err()
        .to_string();
    assert_eq!(err, "invalid type: integer `1`, expected a string");
}
