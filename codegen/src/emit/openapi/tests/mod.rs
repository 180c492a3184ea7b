//! The OpenAPI export of a sample API, checked piece by piece, and of the real spec.

mod sample;

use serde_json::{Value, json};

use super::openapi;
use sample::*;

fn doc() -> Value {
    let text = openapi(&sample());
    serde_json::from_str(&text).expect("the output is JSON")
}

fn op<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Value {
    &doc["paths"][path][method]
}

/// Follows a local `$ref` to its target.
fn resolve<'a>(doc: &'a Value, reference: &Value) -> &'a Value {
    let pointer = reference
        .as_str()
        .and_then(|r| r.strip_prefix('#'))
        .expect("a local reference");
    doc.pointer(pointer)
        .unwrap_or_else(|| panic!("unresolved {pointer}"))
}

fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("$ref", Value::String(s)) => out.push(s.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn output_is_pretty_deterministic_json() {
    let api = sample();
    let a = openapi(&api);
    assert_eq!(a, openapi(&api));
    assert!(a.ends_with("}\n"));
    assert!(a.starts_with("{\n  \"openapi\": \"3.1.0\",\n  \"info\": {\n"));
}

#[test]
fn document_header_servers_and_tags() {
    let doc = doc();
    assert_eq!(
        doc["info"]["title"],
        "DingTalk Open Platform (dingtalk-openapi)"
    );
    assert_eq!(doc["info"]["version"], "0.1.0");
    let servers: Vec<&str> = doc["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        servers,
        ["https://oapi.dingtalk.com", "https://api.dingtalk.com"]
    );
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["auth", "blackboard", "robot"]);
    assert_eq!(
        doc["tags"][1]["description"],
        "blackboard标题\n\nblackboard说明。"
    );
    // Paths in area order, then spec order.
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    assert_eq!(
        paths,
        [
            "/gettoken",
            "/topapi/blackboard/create",
            "/v1.0/hrm/employees/dismissions",
            "/robot/send"
        ]
    );
}

#[test]
fn body_operation() {
    let doc = doc();
    let create = op(&doc, "/topapi/blackboard/create", "post");
    assert_eq!(create["operationId"], "blackboard.create");
    assert_eq!(create["tags"], json!(["blackboard"]));
    assert_eq!(create["summary"], "blackboard.create标题");
    assert_eq!(
        create["description"],
        "创建一条公告。\n\n接口详见: <https://open.dingtalk.com/document/blackboard.create>"
    );
    assert_eq!(
        create["externalDocs"]["url"],
        "https://open.dingtalk.com/document/blackboard.create"
    );
    assert_eq!(create["servers"][0]["url"], "https://oapi.dingtalk.com");
    assert_eq!(create["security"], json!([{ "accessTokenQuery": [] }]));
    assert_eq!(create["x-dingtalk-effect"], "create");
    assert_eq!(create["x-dingtalk-envelope"], "errcode");
    assert!(create.get("parameters").is_none());

    let body = &create["requestBody"];
    assert_eq!(body["required"], true);
    let media = &body["content"]["application/json"];
    assert_eq!(
        media["example"],
        json!({ "create_request": { "title": "入职须知", "private_level": 0 } })
    );
    let schema = &media["schema"];
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["required"], json!(["create_request"]));
    assert_eq!(schema["additionalProperties"], false);
    let wrapper = &schema["properties"]["create_request"];
    assert_eq!(wrapper["description"], "create_request的说明。");
    let vo = resolve(&doc, &wrapper["$ref"]);
    assert_eq!(
        vo["required"],
        json!(["title", "blackboard_receiver", "page_size", "page"])
    );
    assert_eq!(vo["additionalProperties"], false);
    assert_eq!(vo["properties"]["page_size"]["minimum"], json!(1));
    assert_eq!(vo["properties"]["page_size"]["maximum"], json!(30));
    assert_eq!(vo["properties"]["page_size"]["format"], "int64");
    let start = &vo["properties"]["start_time"];
    assert_eq!(start["x-dingtalk-type"], "datetime");
    assert_eq!(start["pattern"], r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$");
    let receiver = resolve(&doc, &vo["properties"]["blackboard_receiver"]["$ref"]);
    let list = &receiver["properties"]["deptid_list"];
    assert_eq!(list["type"], "array");
    assert_eq!(
        list["items"],
        json!({ "type": "integer", "format": "int64" })
    );
    assert_eq!(list["maxItems"], 20);
    assert_eq!(list["examples"], json!([[1]]));

    let ok = &create["responses"]["200"]["content"]["application/json"];
    assert_eq!(ok["example"], json!({ "errcode": 0, "request_id": "abc" }));
    let response = &ok["schema"];
    assert_eq!(response["required"], json!(["request_id"]));
    assert!(response.get("additionalProperties").is_none());
    // Optional response fields accept null; required ones do not.
    assert_eq!(
        response["properties"]["errcode"]["type"],
        json!(["integer", "null"])
    );
    assert_eq!(response["properties"]["request_id"]["type"], "string");
    let result = &response["properties"]["result"];
    assert_eq!(result["anyOf"][1], json!({ "type": "null" }));
    let detail = resolve(&doc, &result["anyOf"][0]["$ref"]);
    assert_eq!(detail["x-dingtalk-doc-name"], "OapiBlackboardVo");
    assert!(detail.get("additionalProperties").is_none());
    assert!(create["responses"].get("default").is_none());

    assert_eq!(
        create["x-dingtalk-pagination"],
        json!({
            "style": "page_number",
            "cursor": "create_request.page",
            "size": "create_request.page_size",
            "items": "result",
        })
    );
    assert_eq!(
        create["x-dingtalk-windows"],
        json!([{ "start": "create_request.start_time", "end": "create_request.end_time", "max_days": 180 }])
    );
}

#[test]
fn query_operation_on_the_api_host() {
    let doc = doc();
    let get = op(&doc, "/v1.0/hrm/employees/dismissions", "get");
    assert_eq!(get["operationId"], "hrm.employees.dismissions");
    assert_eq!(get["servers"][0]["url"], "https://api.dingtalk.com");
    assert_eq!(get["security"], json!([{ "accessTokenHeader": [] }]));
    assert!(get.get("requestBody").is_none());
    let params = get["parameters"].as_array().unwrap();
    assert_eq!(params.len(), 3);
    assert_eq!(params[0]["name"], "nextToken");
    assert_eq!(params[0]["in"], "query");
    assert_eq!(params[0]["required"], false);
    assert_eq!(params[0]["example"], 0);
    assert_eq!(params[0]["description"], "nextToken的说明。");
    assert_eq!(
        params[0]["schema"],
        json!({ "type": "integer", "format": "int64" })
    );
    assert_eq!(params[1]["required"], true);
    assert_eq!(
        params[1]["schema"],
        json!({ "type": "integer", "format": "int32", "maximum": 50, "default": 30 })
    );
    let csv = &params[2]["schema"];
    assert_eq!(csv["type"], "string");
    assert_eq!(csv["x-dingtalk-type"], "csv");
    assert_eq!(csv["x-max-items"], 20);
    assert_eq!(
        csv["x-dingtalk-items"],
        json!({ "type": "integer", "format": "int64" })
    );
    assert!(
        csv["description"]
            .as_str()
            .unwrap()
            .contains("comma-joined list of integers")
    );
    assert!(csv.get("maxItems").is_none());

    assert_eq!(
        get["responses"]["default"]["$ref"],
        "#/components/responses/V1Error"
    );
    let error = resolve(&doc, &get["responses"]["default"]["$ref"]);
    let error_fields: Vec<&String> = error["content"]["application/json"]["schema"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(error_fields, ["code", "message", "requestid"]);
    let epoch = &get["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["checkin_time"];
    assert_eq!(epoch["x-dingtalk-type"], "epoch_ms");
    assert_eq!(
        epoch["description"],
        "checkin_time的说明。\n\nUnix time in milliseconds."
    );
    assert!(
        get["responses"]["200"]["content"]["application/json"]
            .get("example")
            .is_none()
    );
    assert_eq!(get["x-dingtalk-pagination"]["style"], "next_token");
    assert_eq!(get["x-dingtalk-pagination"]["has_more"], "hasMore");
    assert_eq!(get["x-dingtalk-pagination"]["next"], "nextToken");
}

#[test]
fn unauthenticated_operation_with_secret() {
    let doc = doc();
    let get = op(&doc, "/gettoken", "get");
    assert_eq!(get["security"], json!([]));
    assert_eq!(get["parameters"][1]["schema"]["format"], "password");
    assert_eq!(get["parameters"][1]["schema"]["x-dingtalk-secret"], true);
    assert_eq!(
        get["x-dingtalk-requires-one-of"],
        json!([["appkey", "appsecret"]])
    );
}

#[test]
fn open_enum() {
    let doc = doc();
    let e = &doc["components"]["schemas"]["PrivateLevel"];
    assert_eq!(e["type"], "integer");
    assert!(e.get("enum").is_none(), "enums are open");
    assert_eq!(e["x-enum-values"], json!([0, 20]));
    assert_eq!(e["x-enum-varnames"], json!(["Normal", "Confidential"]));
    assert_eq!(e["description"], "保密等级\n\n0: 普通公告; 20: 保密公告");
}

#[test]
fn flattened_union() {
    let doc = doc();
    let send = op(&doc, "/robot/send", "post");
    assert_eq!(send["servers"][0]["url"], "https://oapi.dingtalk.com");
    assert!(
        send["servers"][0]["description"]
            .as_str()
            .unwrap()
            .contains("robot")
    );
    assert_eq!(send["security"], json!([{ "robotToken": [] }]));
    let media = &send["requestBody"]["content"]["application/json"];
    assert_eq!(
        media["example"],
        json!({ "msgtype": "text", "text": { "content": "你好" }, "at": { "isAtAll": false } })
    );
    let schema = &media["schema"];
    let keys: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["msgtype", "text", "link", "at"]);
    assert_eq!(
        schema["properties"]["msgtype"]["enum"],
        json!(["text", "link"])
    );
    assert_eq!(schema["required"], json!(["msgtype"]));
    assert_eq!(schema["additionalProperties"], false);
    let union = resolve(&doc, &schema["allOf"][0]["$ref"]);
    assert_eq!(union["x-dingtalk-tag"], "msgtype");
    let variants = union["oneOf"].as_array().unwrap();
    assert_eq!(variants.len(), 2);
    assert_eq!(
        variants[1]["properties"]["msgtype"],
        json!({ "const": "link" })
    );
    assert_eq!(variants[1]["required"], json!(["msgtype", "link"]));
    assert_eq!(
        variants[1]["propertyNames"],
        json!({ "not": { "enum": ["text"] } })
    );
    let link = resolve(&doc, &variants[1]["properties"]["link"]["$ref"]);
    assert_eq!(link["required"], json!(["title"]));
    // A lenient envelope code (the robot may send a numeric string).
    let errcode =
        &send["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["errcode"];
    assert_eq!(errcode["type"], json!(["integer", "string", "null"]));
}

#[test]
fn components_are_sorted_and_every_ref_resolves() {
    let doc = doc();
    let names: Vec<&String> = doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(names.len(), 8);
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 5);
    for r in &all {
        resolve(&doc, &json!(r));
    }
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(
        schemes["accessTokenHeader"]["name"],
        "x-acs-dingtalk-access-token"
    );
    assert_eq!(schemes["accessTokenQuery"]["in"], "query");
    assert!(
        schemes["robotToken"]["description"]
            .as_str()
            .unwrap()
            .contains("sign")
    );
    // The signed query of the SNS calls: one scheme, named after its secret parameter, that
    // describes the other two.
    let signed = &schemes["appSignature"];
    assert_eq!(
        (&signed["in"], &signed["name"]),
        (&json!("query"), &json!("signature"))
    );
    let text = signed["description"].as_str().unwrap();
    assert!(
        text.contains("accessKey") && text.contains("timestamp"),
        "{text}"
    );
    assert_eq!(
        super::paths::security(crate::ir::Auth::AppSignature),
        json!([{ "appSignature": [] }])
    );
}
