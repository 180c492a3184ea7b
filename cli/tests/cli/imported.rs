//! Fifty operations imported from DingTalk's API description, picked with a fixed seed, each
//! called with the example synthesized from its types: through the typed client to the fake
//! (the fake rebuilds "the request" from the path, query, headers and body, checks it against
//! the typed request and answers the synthesized response, which the client must decode), and
//! through `dingtalk --mock call`, whose printed answer must be that response (but for a paged
//! operation's items and next cursor: the fake pages over items of its own, so those are its
//! own, shaped like the example's).

use dingtalk_openapi::Client;
use dingtalk_openapi::operation::OperationInfo;
use dingtalk_openapi_fake::{MockServer, RecordedRequest};
use serde_json::Value;

use super::{json_of, run};

/// How many imported operations the sample holds.
const SAMPLE: usize = 50;

/// The seed of the sample: change it to look at other operations.
const SEED: u64 = 0x5eed_d1d1_7a1c_2026;

/// The sampled imported operations, sorted by id: a deterministic shuffle (splitmix64) of every
/// operation with a DingTalk action, then the first [`SAMPLE`].
pub(crate) fn sample() -> Vec<&'static OperationInfo> {
    let mut imported: Vec<&'static OperationInfo> = dingtalk_openapi::operations()
        .into_iter()
        .filter(|op| !op.action.is_empty())
        .collect();
    imported.sort_by_key(|op| op.id);
    let mut state = SEED;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    // Fisher-Yates over the first SAMPLE places.
    for i in 0..SAMPLE.min(imported.len()) {
        let span = (imported.len() - i) as u64;
        let j = i + usize::try_from(next() % span).expect("fits");
        imported.swap(i, j);
    }
    imported.truncate(SAMPLE);
    imported.sort_by_key(|op| op.id);
    imported
}

/// Sends an operation's example request through the typed client (reached by id through
/// `dyn_operation`); the typed answer must decode.
async fn typed_call(client: &Client, info: &OperationInfo) -> Result<(), String> {
    let operation = dingtalk_openapi::dyn_operation(info.id).ok_or("no such operation")?;
    let example: Value =
        serde_json::from_str(info.example_request).map_err(|e| format!("example: {e}"))?;
    let request = operation
        .read(&example)
        .map_err(|e| format!("example: {e}"))?;
    request.execute(client).await.map_err(|e| e.to_string())
}

/// The path the client must have sent: the template with each `{name}` replaced by the
/// example's value, percent-encoded as one segment.
fn expected_path(info: &OperationInfo) -> String {
    let example: Value = serde_json::from_str(info.example_request).expect("example is JSON");
    let mut path = info.path.to_owned();
    for (name, value) in example.as_object().into_iter().flatten() {
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let encoded: String = text
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        path = path.replace(&format!("{{{name}}}"), &encoded);
    }
    path
}

/// The sample drawn a second time.
fn sample_again() -> Vec<&'static OperationInfo> {
    sample()
}

#[test]
fn the_sample_is_fifty_imported_operations_of_many_areas() {
    let sample = sample();
    assert_eq!(sample.len(), SAMPLE);
    let mut areas: Vec<&str> = sample.iter().map(|op| op.area).collect();
    areas.dedup();
    assert!(areas.len() >= 20, "{areas:?}");
    let ids = |ops: &[&OperationInfo]| ops.iter().map(|op| op.id).collect::<Vec<_>>();
    assert_eq!(
        ids(&sample),
        ids(&sample_again()),
        "a fixed seed picks the same operations"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sampled_imported_operations_round_trip_through_the_typed_client() {
    let server = MockServer::builder(dingtalk_openapi_fake::operations())
        .start()
        .await
        .expect("fake starts");
    let client = Client::builder()
        .app_credentials(server.app_key(), server.app_secret())
        .oapi_base_url(server.base_url())
        .api_base_url(server.base_url())
        .build()
        .expect("client");
    let mut failures = Vec::new();
    for info in sample() {
        if let Err(e) = typed_call(&client, info).await {
            failures.push(format!("{}: {e}", info.id));
            continue;
        }
        let sent: Vec<RecordedRequest> = server
            .requests()
            .into_iter()
            .filter(|r| r.operation == Some(info.id))
            .collect();
        match sent.as_slice() {
            [one] => {
                if one.method != info.method.as_str() || one.path != expected_path(info) {
                    failures.push(format!(
                        "{}: sent {} {}, expected {} {}",
                        info.id,
                        one.method,
                        one.path,
                        info.method.as_str(),
                        expected_path(info)
                    ));
                }
            }
            other => failures.push(format!(
                "{}: {} requests reached the fake",
                info.id,
                other.len()
            )),
        }
    }
    server.shutdown().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sampled_imported_operations_answer_their_example_through_dingtalk_mock_call() {
    let mut failures = Vec::new();
    for info in sample() {
        let out = run(&["--mock", "call", info.id, "--body", info.example_request]);
        if out.code != 0 {
            failures.push(format!(
                "{} (exit {}): {}",
                info.id,
                out.code,
                out.stderr.trim()
            ));
            continue;
        }
        let mut printed = json_of(&out);
        let expected: Value = serde_json::from_str(info.example_response).expect("JSON");
        if let Some(next) = info.pagination.and_then(|p| p.next) {
            let pointer = format!("/{}", next.replace('.', "/"));
            let kind = |v: &Value| (v.is_string(), v.is_number());
            let (got, want) = (printed.pointer(&pointer), expected.pointer(&pointer));
            if got.map(kind) != want.map(kind) {
                failures.push(format!(
                    "{}: next cursor {got:?}, expected one like {want:?}",
                    info.id
                ));
                continue;
            }
            if let (Some(slot), Some(want)) = (printed.pointer_mut(&pointer), want) {
                *slot = want.clone();
            }
            // The fake pages over items of its own, made from the example's item with ids
            // made unique: each must have the example item's fields, of the same kinds.
            let pointer = format!(
                "/{}",
                info.pagination.map_or("", |p| p.items).replace('.', "/")
            );
            let (got, want) = (printed.pointer(&pointer), expected.pointer(&pointer));
            if let Err(why) = same_shape_items(got, want) {
                failures.push(format!("{}: items {why}", info.id));
                continue;
            }
            if let (Some(slot), Some(want)) = (printed.pointer_mut(&pointer), want) {
                *slot = want.clone();
            }
        }
        if printed != expected {
            failures.push(format!(
                "{}: printed {printed}, expected {expected}",
                info.id
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Whether a page of items is shaped like the example's: at least one item, each with the
/// keys of the example's first item, every value of the same JSON kind.
fn same_shape_items(got: Option<&Value>, want: Option<&Value>) -> Result<(), String> {
    fn kind(v: &Value) -> &'static str {
        match v {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
    fn shape(v: &Value) -> Vec<(String, &'static str)> {
        match v {
            Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), kind(v))).collect(),
            other => vec![(String::new(), kind(other))],
        }
    }
    let got = got.and_then(Value::as_array).ok_or("absent")?;
    let want = want
        .and_then(Value::as_array)
        .and_then(|items| items.first())
        .ok_or("absent from the example")?;
    if got.is_empty() {
        return Err("empty".to_owned());
    }
    match got.iter().find(|item| shape(item) != shape(want)) {
        Some(item) => Err(format!("{item} is not shaped like {want}")),
        None => Ok(()),
    }
}

/// The whole v1.0 API is there: `dingtalk list` prints at least 3,250 operations on the api
/// host, and the OpenAPI document holds every operation it prints, by id.
#[test]
fn list_prints_the_whole_api_and_the_openapi_document_holds_it() {
    let listed = json_of(&run(&["list", "--json"]));
    let listed = listed.as_array().expect("a JSON list");
    let on_api = listed
        .iter()
        .filter(|op| {
            op["url"]
                .as_str()
                .is_some_and(|url| url.starts_with("https://api.dingtalk.com/"))
        })
        .count();
    assert!(on_api >= 3_250, "{on_api} operations on the api host");
    let doc: Value =
        serde_json::from_str(dingtalk_openapi::OPENAPI_DOCUMENT).expect("the document is JSON");
    let mut documented: Vec<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().into_iter().flatten())
        .filter_map(|(_, op)| op["operationId"].as_str())
        .collect();
    documented.sort_unstable();
    let mut ids: Vec<&str> = listed.iter().filter_map(|op| op["id"].as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids.len(), listed.len(), "every listed operation has an id");
    assert_eq!(
        documented, ids,
        "the document and the list hold the same operations"
    );
}
