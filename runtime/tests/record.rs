//! The table-driven serde of `record`, through `#[derive(Wire)]` as the generator emits it,
//! against serde_derive: the same JSON, read and written by a serde_derive struct and by its
//! `Wire` twin, gives the same values, the same bytes and the same error messages, including the
//! field paths `serde_path_to_error` reports.

use dingtalk_openapi_runtime::__private::{Wire, deserialize_lenient_i64};
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

// The same three objects as the generator emits them: `#[derive(Wire)]`.

#[derive(Debug, PartialEq, Wire)]
#[wire(deny_unknown_fields)]
struct TableRequest {
    name: String,
    #[wire(rename = "pageSize")]
    page_size: Option<i64>,
    tags: Option<Vec<String>>,
    inner: TableInner,
}

#[derive(Debug, PartialEq, Wire)]
#[wire(deny_unknown_fields)]
struct TableInner {
    id: i64,
}

#[derive(Debug, Default, PartialEq, Wire)]
struct TableResponse {
    #[wire(lenient)]
    errcode: Option<i64>,
    #[wire(rename = "type")]
    kind: Option<String>,
    result: Option<Vec<TableInner>>,
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

#[derive(Debug, PartialEq, Wire)]
#[wire(deny_unknown_fields)]
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
            // Both name the type by its Rust name: `DerivedX` and `TableX`.
            assert_eq!(
                d.replace("struct Derived", "struct "),
                t.replace("struct Table", "struct "),
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
        "invalid type: sequence, expected struct TableRequest at line 1 column 5"
    );
    let err = serde_json::from_str::<TableResponse>("[1]").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid type: sequence, expected struct TableResponse at line 1 column 3"
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

// An object both sent and received (the generator gives it no `deny_unknown_fields`), held by
// a request and by an answer.

#[derive(Debug, PartialEq, Wire)]
struct SharedCriteria {
    operator: Option<String>,
}

#[derive(Debug, PartialEq, Wire)]
#[wire(deny_unknown_fields)]
struct FilterRequest {
    criteria: std::collections::BTreeMap<String, SharedCriteria>,
    conditions: Option<Vec<SharedCriteria>>,
}

#[derive(Debug, PartialEq, Wire)]
struct FilterResponse {
    criteria: Option<SharedCriteria>,
}

#[test]
fn an_object_both_sent_and_received_refuses_unknown_keys_only_inside_a_request() {
    // Inside a request, at any depth (through a map and a list), an unknown key is an error
    // naming where it is, not a field silently dropped.
    let in_map = r#"{"criteria": {"a": {"operator": "eq", "opertor": "ne"}}}"#;
    let error = serde_path_to_error::deserialize::<_, FilterRequest>(
        &mut serde_json::Deserializer::from_str(in_map),
    )
    .expect_err("an unknown key inside a request");
    assert_eq!(error.path().to_string(), "criteria.a.opertor");
    assert!(
        error.to_string().contains("unknown field `opertor`"),
        "{error}"
    );
    let in_list = r#"{"criteria": {}, "conditions": [{"x": 1}]}"#;
    assert!(serde_json::from_str::<FilterRequest>(in_list).is_err());
    let known = r#"{"criteria": {"a": {"operator": "eq"}}, "conditions": [{}]}"#;
    assert!(serde_json::from_str::<FilterRequest>(known).is_ok());

    // In an answer, or read on its own, it tolerates what DingTalk may add; and a request read
    // before (or one that failed) leaves no trace on the thread.
    let answer = r#"{"criteria": {"operator": "eq", "added": 1}}"#;
    assert_eq!(
        serde_json::from_str::<FilterResponse>(answer).expect("an answer"),
        FilterResponse {
            criteria: Some(SharedCriteria {
                operator: Some("eq".into())
            })
        }
    );
    assert!(serde_json::from_str::<SharedCriteria>(r#"{"added": true}"#).is_ok());
}
