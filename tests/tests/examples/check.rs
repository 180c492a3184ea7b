//! The visitor that runs checks (a) to (e) on one operation's examples and gathers what failed.

use dingtalk_openapi::operation::{Operation, OperationVisitor};
use serde_json::{Value, json};

use crate::enums::{enum_sites, operation_schemas};
use crate::ordered::{Ordered, order_difference};
use crate::tracked::deserialize_tracked;
use crate::variants::{UNKNOWN_FIELD, at_mut, records, show, tolerated_variants};
use dingtalk_openapi::operation::Returns;

/// What one operation's checks found.
#[derive(Default)]
pub(crate) struct Report {
    pub(crate) failures: Vec<String>,
    /// Response variants checked under (d).
    pub(crate) variants: usize,
    /// Enum sites checked under (e), as `path: Enum`.
    pub(crate) enums: Vec<String>,
}

pub(crate) struct CheckExamples<'a> {
    pub(crate) doc: &'a Value,
}

impl OperationVisitor for CheckExamples<'_> {
    type Output = Report;

    fn visit<O: Operation + serde::de::DeserializeOwned>(self) -> Report {
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

        // The schemas say which objects are records; without them every object counts.
        let schemas = operation_schemas(self.doc, info.id);
        let (request_schema, response_schema) =
            schemas.clone().unwrap_or((Value::Null, Value::Null));

        // Requests are closed: an unknown field in any record is an error, not silently
        // dropped (a map takes any key, untyped JSON anything).
        for path in records(self.doc, &request_schema, &request_value) {
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
        // An object, or a bare array, boolean, any value or nothing as the operation returns.
        let response_value: Value = match serde_json::from_str(info.example_response) {
            Ok(v @ Value::Object(_)) => v,
            Ok(v) if info.returns != Returns::Object => v,
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

        // (d) Unknown, missing and null fields, for answers made of records.
        let response_records = records(self.doc, &response_schema, &response_value);
        let variants = match info.returns {
            Returns::Object | Returns::Array => {
                tolerated_variants(&response_value, &response_records)
            }
            Returns::Boolean | Returns::Json | Returns::Empty => Vec::new(),
        };
        for (what, variant) in variants {
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

        if schemas.is_none() {
            fail("openapi.json", "the operation is missing".to_owned());
            return report;
        }

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
