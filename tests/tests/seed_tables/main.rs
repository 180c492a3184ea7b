//! Fidelity of `generated/openapi.json` to the DingTalk tables of seed 001.
//!
//! The seed (seed 001 of the project, vendored as `tests/data/seed-001-endpoint-tables.txt`)
//! documents 21 endpoints,
//! each with its method and URL and with tables of Query, Header, Body and response rows
//! (`name | type | required | example | description`; response tables have no required column and
//! the v1.0 tables no example column). This test parses every table and checks each row against the
//! OpenAPI export, which is produced from the same spec as the crate:
//!
//! - the operation: method, host (the operation's server) and path, and the operationId derived
//!   from the path as the id table says;
//! - every request row: found where the table puts it (a query or header parameter, or a property
//!   of the JSON body), with the table's type and required flag; the credential rows
//!   (`access_token`, `x-acs-dingtalk-access-token`) are the operation's `security` scheme instead;
//! - every response row: a property of the 200 response schema, with the table's type;
//! - every scalar or list example the table gives: the schema's example.
//!
//! The tables flatten nested objects: the fields of `create_request` follow the `create_request`
//! row. A row is looked up in the innermost object opened by an earlier row, then in the objects
//! around it (a row found further out closes the inner ones), following `$ref`s and array items.
//!
//! Where the spec deliberately differs from a table (a typo, a list documented as a string, a
//! field that is really a time), the spec records it in a `# table:` comment; [`CORRECTIONS`]
//! lists each such case with its reason, and the test asserts the corrected form. A correction
//! that no longer applies is itself a failure, so the list stays honest.
//!
//! The test also checks that the export has at least 102 operations and holds every id of the
//! id table whose endpoint the spec describes. Failures are gathered and reported
//! together, each naming the table, the row and what differed.

mod check;
mod schema;
mod seed;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

/// The endpoint tables of seed 001, vendored under `tests/data/`.
const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/seed-001-endpoint-tables.txt"
);
/// The operation ids of those endpoints, vendored under `tests/data/`.
const IDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/operation-ids.md");
const OPENAPI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../generated/openapi.json");
const SPEC_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec");

/// How many (request, response) rows each of the 21 tables has, credential rows included.
/// Guards the parser: a row it silently dropped would otherwise go unchecked.
const ROW_COUNTS: [(usize, usize); 21] = [
    (2, 4),
    (14, 4),
    (11, 4),
    (3, 5),
    (3, 23),
    (8, 4),
    (2, 6),
    (2, 8),
    (9, 3),
    (3, 17),
    (9, 20),
    (7, 14),
    (5, 7),
    (4, 7),
    (4, 10),
    (2, 4),
    (4, 10),
    (3, 7),
    (4, 7),
    (3, 3),
    (6, 14),
];

use check::*;
use schema::*;
use seed::*;

// // The operation ids

/// The (method, URL, id) rows of the id table (`tests/data/operation-ids.md`).
fn guide_ids(table: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for line in table.lines() {
        let cells = cells(line.trim().trim_start_matches('|'));
        if let [endpoint, id] = cells.as_slice()
            && let (Some(endpoint), Some(id)) = (strip_ticks(endpoint), strip_ticks(id))
            && let Some((method, url)) = endpoint.split_once(' ')
        {
            out.push((method.to_owned(), url.to_owned(), id.to_owned()));
        }
    }
    out
}

fn strip_ticks(s: &str) -> Option<&str> {
    s.strip_prefix('`')?.strip_suffix('`')
}

/// Every `- id: X` of spec/*.yaml.
fn spec_ids() -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let entries =
        std::fs::read_dir(SPEC_DIR).unwrap_or_else(|e| panic!("cannot list {SPEC_DIR}: {e}"));
    for entry in entries {
        let path = entry.expect("a spec directory entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            for line in text.lines() {
                if let Some(id) = line.trim().strip_prefix("- id:") {
                    ids.insert(id.trim().to_owned());
                }
            }
        }
    }
    ids
}

// // The tests

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(path)).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn load() -> (Vec<Table>, Value) {
    let tables = parse_seed(&read(SEED))
        .unwrap_or_else(|errors| panic!("cannot parse the seed:\n{}", errors.join("\n")));
    let doc: Value = serde_json::from_str(&read(OPENAPI)).expect("openapi.json is JSON");
    (tables, doc)
}

#[test]
fn seed_tables_match_openapi() {
    let (tables, doc) = load();

    // The parser found every table, with its endpoint and every row.
    let numbers: Vec<u32> = tables.iter().map(|t| t.number).collect();
    assert_eq!(
        numbers,
        (1..=21).collect::<Vec<u32>>(),
        "the seed has 21 numbered endpoint tables"
    );
    for table in &tables {
        assert!(
            !table.method.is_empty() && !table.url.is_empty(),
            "table {}: no method or URL",
            table.number
        );
        assert_eq!(
            table.counts(),
            ROW_COUNTS[table.number as usize - 1],
            "table {} ({}): (request, response) rows parsed",
            table.number,
            table.title
        );
    }

    // The check can fail: a row the spec does not have, or a row with the wrong type, is reported.
    let mut altered = tables[1].clone();
    let template = altered
        .rows
        .iter()
        .find(|r| r.name == "title")
        .expect("table 2 has a title row")
        .clone();
    altered.rows.push(Row {
        name: "nonexistent_field".into(),
        ..template.clone()
    });
    altered.rows.push(Row {
        name: "title".into(),
        ty: "Number".into(),
        example: None,
        ..template
    });
    let failures = check_table(&doc, &altered).failures;
    assert!(
        failures
            .iter()
            .any(|f| f.contains("`nonexistent_field`") && f.contains("not a property")),
        "a made-up row must not be found: {failures:#?}"
    );
    assert!(
        failures
            .iter()
            .any(|f| f.contains("`title`") && f.contains("the table says Number")),
        "a row of the wrong type must be reported: {failures:#?}"
    );

    let mut failures = Vec::new();
    let mut used = BTreeSet::new();
    let mut summary = String::from("seed 001 vs generated/openapi.json (rows checked):\n");
    let (mut total_request, mut total_response) = (0, 0);
    for table in &tables {
        let outcome = check_table(&doc, table);
        let (request, response) = outcome.checked;
        total_request += request;
        total_response += response;
        let id = split_url(&table.url)
            .map(|(_, p)| id_of(p))
            .unwrap_or_default();
        let _ = writeln!(
            summary,
            "  table {:>2} {:<38} {request:>2} request, {response:>2} response",
            table.number, id
        );
        failures.extend(outcome.failures);
        used.extend(outcome.used);
    }
    let _ = writeln!(
        summary,
        "  total: {total_request} request rows, {total_response} response rows"
    );
    println!("{summary}");

    for (table, row, _) in CORRECTIONS {
        if !used.contains(&(*table, *row)) {
            failures.push(format!(
                "correction for table {table} row `{row}` no longer applies; remove it"
            ));
        }
    }

    // The correction of gettoken's required flags stands on `requires_one_of`.
    let gettoken = doc.pointer("/paths/~1gettoken/get").expect("gettoken");
    let groups = gettoken
        .get("x-dingtalk-requires-one-of")
        .cloned()
        .unwrap_or_default();
    if !groups
        .as_array()
        .is_some_and(|g| g.contains(&serde_json::json!(["appkey", "appsecret"])))
    {
        failures.push(format!(
            "table 1: appkey/appsecret are optional but x-dingtalk-requires-one-of is {groups}"
        ));
    }

    assert!(
        failures.is_empty(),
        "{} differences between the seed tables and openapi.json:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn openapi_has_every_operation() {
    let doc: Value = serde_json::from_str(&read(OPENAPI)).expect("openapi.json is JSON");
    let ops = operations(&doc);
    let mut by_id: BTreeMap<&str, (&str, &str, &Value)> = BTreeMap::new();
    for (id, method, path, op) in &ops {
        assert!(
            by_id.insert(id, (method, path, op)).is_none(),
            "operationId {id} appears twice"
        );
        // An imported operation's id is `<area>.<action>` (spec/README.md), not the path's.
        match op.get("x-dingtalk-action").and_then(Value::as_str) {
            Some(action) => {
                let name = action.rsplit_once('/').map_or(action, |(_, name)| name);
                assert!(
                    id.ends_with(&format!(".{name}")),
                    "{method} {path}: operationId {id} does not end in its action {action}"
                );
            }
            None => assert_eq!(
                *id,
                id_of(path),
                "{method} {path}: operationId differs from the id table's rule"
            ),
        }
    }
    println!("openapi.json: {} operations", ops.len());
    assert!(
        ops.len() >= 102,
        "openapi.json has {} operations, expected at least 102",
        ops.len()
    );

    let guide = guide_ids(&read(IDS));
    assert!(
        guide.len() >= 9,
        "id table not found or shorter than expected: {guide:?}"
    );
    let spec = spec_ids();
    let mut failures = Vec::new();
    let mut covered = 0;
    for (method, url, id) in &guide {
        if !spec.contains(id) {
            continue;
        }
        covered += 1;
        let Some((op_method, op_path, op)) = by_id.get(id.as_str()) else {
            failures.push(format!(
                "the id table id `{id}` is in the spec but not in openapi.json"
            ));
            continue;
        };
        let (host, path) = split_url(url).expect("table URLs are https");
        let server = server_url(&doc, op);
        if op_method != method
            || *op_path != path
            || server != Some(format!("https://{host}").as_str())
        {
            failures.push(format!(
                "the id table `{id}`: {method} {url}, openapi.json has {op_method} {server:?}{op_path}"
            ));
        }
    }
    println!(
        "the id table: {covered} of {} ids are in the spec and checked",
        guide.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
