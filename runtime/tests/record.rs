//! The table-driven serde of `record` against serde_derive: the same JSON, read and written by a
//! derived struct and by the code the generator emits for it, gives the same values, the same
//! bytes and the same error messages, including the field paths `serde_path_to_error` reports.

use dingtalk_openapi_runtime::__private::deserialize_lenient_i64;
use dingtalk_openapi_runtime::__private::record;
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
        const SHAPE: record::Shape = record::Shape {
            name: "Request",
            wire: &["name", "pageSize", "tags", "inner"],
            deny_unknown: true,
        };
        let (name, page_size, tags, inner) = record::read::<
            (
                record::Required<String>,
                record::Optional<i64>,
                record::Optional<Vec<String>>,
                record::Required<TableInner>,
            ),
            D,
        >(deserializer, &SHAPE)?;
        Ok(Self {
            name,
            page_size,
            tags,
            inner,
        })
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
        // The form the generator emits (a promoted shape, a match rather than `?`: both are
        // cheaper to compile); the other impls here use the longer equivalent.
        let shape = &record::Shape {
            name: "Inner",
            wire: &["id"],
            deny_unknown: true,
        };
        match record::read::<(record::Required<i64>,), D>(deserializer, shape) {
            Ok((id,)) => Ok(Self { id }),
            Err(error) => Err(error),
        }
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
        const SHAPE: record::Shape = record::Shape {
            name: "Response",
            wire: &["errcode", "type", "result"],
            deny_unknown: false,
        };
        let (errcode, kind, result) = record::read::<
            (
                record::Lenient,
                record::Optional<String>,
                record::Optional<Vec<TableInner>>,
            ),
            D,
        >(deserializer, &SHAPE)?;
        Ok(Self {
            errcode,
            kind,
            result,
        })
    }
}

/// Eighteen fields: more than one slot tuple holds, so the generator chains two.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DerivedWide {
    f00: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    f01: Option<i64>,
    f02: i64,
    f03: i64,
    f04: i64,
    f05: i64,
    f06: i64,
    f07: i64,
    f08: i64,
    f09: i64,
    f10: i64,
    f11: i64,
    f12: i64,
    f13: i64,
    f14: i64,
    f15: i64,
    f16: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    f17: Option<String>,
}

#[derive(Debug, PartialEq)]
struct TableWide {
    f00: i64,
    f01: Option<i64>,
    f02: i64,
    f03: i64,
    f04: i64,
    f05: i64,
    f06: i64,
    f07: i64,
    f08: i64,
    f09: i64,
    f10: i64,
    f11: i64,
    f12: i64,
    f13: i64,
    f14: i64,
    f15: i64,
    f16: String,
    f17: Option<String>,
}

impl Serialize for TableWide {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        record::writer(serializer, "Wide", 18)
            .field("f00", &self.f00)
            .optional("f01", &self.f01)
            .field("f02", &self.f02)
            .field("f03", &self.f03)
            .field("f04", &self.f04)
            .field("f05", &self.f05)
            .field("f06", &self.f06)
            .field("f07", &self.f07)
            .field("f08", &self.f08)
            .field("f09", &self.f09)
            .field("f10", &self.f10)
            .field("f11", &self.f11)
            .field("f12", &self.f12)
            .field("f13", &self.f13)
            .field("f14", &self.f14)
            .field("f15", &self.f15)
            .field("f16", &self.f16)
            .optional("f17", &self.f17)
            .end()
    }
}

impl<'de> Deserialize<'de> for TableWide {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use record::{Chain, Optional, Required};
        const SHAPE: record::Shape = record::Shape {
            name: "Wide",
            wire: &[
                "f00", "f01", "f02", "f03", "f04", "f05", "f06", "f07", "f08", "f09", "f10", "f11",
                "f12", "f13", "f14", "f15", "f16", "f17",
            ],
            deny_unknown: true,
        };
        type I = Required<i64>;
        let (
            (f00, f01, f02, f03, f04, f05, f06, f07, f08, f09, f10, f11, f12, f13, f14, f15),
            (f16, f17),
        ) = record::read::<
            Chain<
                (I, Optional<i64>, I, I, I, I, I, I, I, I, I, I, I, I, I, I),
                (Required<String>, Optional<String>),
            >,
            D,
        >(deserializer, &SHAPE)?;
        Ok(Self {
            f00,
            f01,
            f02,
            f03,
            f04,
            f05,
            f06,
            f07,
            f08,
            f09,
            f10,
            f11,
            f12,
            f13,
            f14,
            f15,
            f16,
            f17,
        })
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

#[test]
fn objects_past_sixteen_fields_chain_their_slots() {
    let wide = same::<DerivedWide, TableWide>;
    let fields: Vec<String> = (0..16)
        .filter(|i| *i != 1)
        .map(|i| format!(r#""f{i:02}":{i}"#))
        .collect();
    let full = format!(r#"{{{},"f16":"x","f17":"y","f01":1}}"#, fields.join(","));
    assert!(wide(&full).is_ok(), "{full}");
    let minimal = format!(r#"{{{},"f16":"x"}}"#, fields.join(","));
    assert!(wide(&minimal).is_ok(), "{minimal}");
    // A required field of the second tuple missing, and one of the first.
    let no_f16 = format!("{{{}}}", fields.join(","));
    assert_eq!(
        wide(&no_f16).unwrap_err(),
        format!(".: missing field `f16` at line 1 column {}", no_f16.len())
    );
    let no_f00 = format!(r#"{{{},"f16":"x"}}"#, fields[1..].join(","));
    assert!(wide(&no_f00).unwrap_err().contains("missing field `f00`"));
    let duplicate = format!(r#"{{{},"f16":"x","f17":"y","f17":"z"}}"#, fields.join(","));
    assert!(
        wide(&duplicate)
            .unwrap_err()
            .contains("duplicate field `f17`")
    );
    let wrong = format!(r#"{{{},"f16":1}}"#, fields.join(","));
    assert!(wide(&wrong).unwrap_err().starts_with("f16: invalid type"));
}
