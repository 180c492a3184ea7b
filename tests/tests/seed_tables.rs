//! Fidelity of `generated/openapi.json` to the DingTalk tables of seed 001.
//!
//! The seed (`shared/seeds/001_a67940d0b93fa974.txt`, beside the repository) documents 21 endpoints,
//! each with its method and URL and with tables of Query, Header, Body and response rows
//! (`name | type | required | example | description`; response tables have no required column and
//! the v1.0 tables no example column). This test parses every table and checks each row against the
//! OpenAPI export, which is produced from the same spec as the crate:
//!
//! - the operation: method, host (the operation's server) and path, and the operationId derived
//!   from the path as GUIDE §1.2 says;
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
//! The test also checks that the export has at least 24 operations and holds every id of the
//! GUIDE §1.2 table whose endpoint the spec describes. Failures are gathered and reported
//! together, each naming the table, the row and what differed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/seeds/001_a67940d0b93fa974.txt"
);
const GUIDE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/docs/GUIDE.md");
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

/// What the spec says instead of the table, for one row.
enum Fix {
    /// The row's type, in the table's own notation (plus `Csv`: a comma-joined list in one string).
    Type(&'static str),
    /// The table says 是 (required), the spec makes the row optional.
    Optional,
    /// The example, as JSON.
    Example(&'static str),
}

/// The deliberate differences between the tables and the spec, each documented by a `# table:`
/// comment in `spec/*.yaml`, as (table number, row wire name, fix). The test asserts the corrected
/// form instead of the table's.
const CORRECTIONS: &[(u32, &str, Fix)] = &[
    // spec/auth.yaml: appkey/appsecret may be replaced by the legacy corpid/corpsecret pair, so
    // each is optional and `requires_one_of` demands one complete pair (checked below).
    (1, "appkey", Fix::Optional),
    (1, "appsecret", Fix::Optional),
    // spec/blackboard.yaml: "table example: 人事部 (a bare string, not a list)".
    (5, "depname_list", Fix::Example(r#"["人事部"]"#)),
    // spec/blackboard.yaml: "table example: 小明 (a bare string, not a list)".
    (5, "username_list", Fix::Example(r#"["小明"]"#)),
    // spec/blackboard.yaml: "table: String; the value is a yyyy-MM-dd HH:mm:ss time (DINGTALK-FACTS)".
    (5, "gmt_create", Fix::Type("Date")),
    (5, "gmt_modified", Fix::Type("Date")),
    // spec/blackboard.yaml: "table: Sting" (a typo for String).
    (8, "id", Fix::Type("String")),
    // spec/report.yaml: "table: 示例值 123 (not an array)"; the field is a String[].
    (9, "to_cids", Fix::Example(r#"["123"]"#)),
    // spec/report.yaml: "table: errmsg | String | p0gvgqih0nfv | 请求ID。" (request_id's example
    // and description pasted onto errmsg).
    (14, "errmsg", Fix::Example(r#""ok""#)),
    // spec/hrm.yaml: "table: String; one comma-joined string of status values (DINGTALK-FACTS)".
    (19, "status_list", Fix::Type("Csv")),
    // spec/hrm.yaml: "table: String (example ["user123"]); it is a JSON array of userids".
    (19, "data_list", Fix::Type("String[]")),
    // spec/checkin.yaml: "table: String; the value is a comma-joined list of userIds".
    (21, "userid_list", Fix::Type("Csv")),
];

// ---------------------------------------------------------------------------------------------
// The seed

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Query,
    Header,
    Body,
    Response,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Query => "query",
            Part::Header => "header",
            Part::Body => "body",
            Part::Response => "response",
        }
    }
}

#[derive(Debug, Clone)]
struct Row {
    part: Part,
    name: String,
    ty: String,
    /// `None` in response tables.
    required: Option<bool>,
    /// `None` when the table has no example column or the cell is empty.
    example: Option<String>,
    /// The seed line the row starts on.
    line: usize,
}

#[derive(Debug, Clone)]
struct Table {
    number: u32,
    title: String,
    method: String,
    url: String,
    rows: Vec<Row>,
}

impl Table {
    fn counts(&self) -> (usize, usize) {
        let response = self
            .rows
            .iter()
            .filter(|r| r.part == Part::Response)
            .count();
        (self.rows.len() - response, response)
    }
}

/// The cells of a `a | b | c |` line (the empty cell after the last `|` dropped).
fn cells(line: &str) -> Vec<String> {
    let mut cells: Vec<String> = line.split('|').map(|c| c.trim().to_owned()).collect();
    if cells.last().is_some_and(String::is_empty) {
        cells.pop();
    }
    cells
}

/// `12、标题` starts table 12.
fn section_header(line: &str) -> Option<(u32, &str)> {
    let (number, title) = line.split_once('、')?;
    let number = number.parse().ok()?;
    Some((number, title))
}

struct Parser {
    tables: Vec<Table>,
    errors: Vec<String>,
    part: Option<Part>,
    columns: Option<Vec<String>>,
    /// A row whose closing `|` is on a later line: its text so far and its first line.
    pending: Option<(String, usize)>,
    /// The path of a `GET /v1.0/... HTTP/1.1` request line, waiting for its `Host:` line.
    request_path: Option<String>,
}

fn parse_seed(text: &str) -> Result<Vec<Table>, Vec<String>> {
    let mut p = Parser {
        tables: Vec::new(),
        errors: Vec::new(),
        part: None,
        columns: None,
        pending: None,
        request_path: None,
    };
    for (i, line) in text.lines().enumerate() {
        p.line(i + 1, line);
    }
    if let Some((_, start)) = &p.pending {
        p.errors.push(format!(
            "seed line {start}: table row never closed with `|`"
        ));
    }
    if p.errors.is_empty() {
        Ok(p.tables)
    } else {
        Err(p.errors)
    }
}

impl Parser {
    fn line(&mut self, n: usize, line: &str) {
        let trimmed = line.trim();
        if let Some((text, start)) = self.pending.as_mut() {
            text.push('\n');
            text.push_str(trimmed);
            if trimmed.ends_with('|') {
                let (text, start) = (text.clone(), *start);
                self.pending = None;
                self.row(start, &text);
            }
            return;
        }
        if self.part.is_some() && trimmed.contains('|') {
            if self.columns.is_none() {
                self.columns = Some(cells(trimmed));
            } else if trimmed.ends_with('|') {
                self.row(n, trimmed);
            } else {
                self.pending = Some((trimmed.to_owned(), n));
            }
            return;
        }
        // Anything else ends the table.
        self.part = None;
        self.columns = None;
        if let Some((number, title)) = section_header(trimmed) {
            self.tables.push(Table {
                number,
                title: title.to_owned(),
                method: String::new(),
                url: String::new(),
                rows: Vec::new(),
            });
            return;
        }
        let Some(table) = self.tables.last_mut() else {
            return;
        };
        let part = match trimmed {
            "Query参数" => Some(Part::Query),
            "Header参数" => Some(Part::Header),
            "Body参数" => Some(Part::Body),
            "返回参数" => Some(Part::Response),
            _ => None,
        };
        if part.is_some() {
            self.part = part;
        } else if let Some(method) = trimmed.strip_prefix("请求方式:") {
            table.method = method.trim().to_owned();
        } else if let Some(url) = trimmed.strip_prefix("请求地址:") {
            table.url = url.trim().to_owned();
        } else if let Some(host) = trimmed.strip_prefix("Host:") {
            if let Some(path) = self.request_path.take() {
                table.url = format!("https://{}{path}", host.trim());
            }
        } else if let Some(rest) = trimmed.strip_suffix(" HTTP/1.1") {
            // The v1.0 pages give `GET /v1.0/... HTTP/1.1` and a `Host:` line instead.
            if let Some((method, path)) = rest.split_once(' ') {
                table.method = method.to_owned();
                self.request_path = Some(path.to_owned());
            }
        }
    }

    fn row(&mut self, n: usize, text: &str) {
        let part = self.part.expect("rows only inside a table");
        let columns = self.columns.as_ref().expect("rows only after the header");
        let cells = cells(text);
        let column = |name: &str| {
            columns
                .iter()
                .position(|c| c == name)
                .and_then(|i| cells.get(i))
        };
        let (Some(name), Some(ty)) = (column("名称"), column("类型")) else {
            self.errors
                .push(format!("seed line {n}: row without name or type: {text:?}"));
            return;
        };
        let required = match column("是否必填").map(String::as_str) {
            None => None,
            Some("是") => Some(true),
            Some("否") => Some(false),
            Some(other) => {
                self.errors.push(format!(
                    "seed line {n}: row `{name}`: required is {other:?}, not 是/否"
                ));
                return;
            }
        };
        if (part == Part::Response) != required.is_none() {
            self.errors.push(format!(
                "seed line {n}: row `{name}`: required column where none belongs (or missing)"
            ));
        }
        let example = column("示例值").filter(|e| !e.is_empty()).cloned();
        let table = self.tables.last_mut().expect("rows only inside a section");
        table.rows.push(Row {
            part,
            name: name.clone(),
            ty: ty.clone(),
            required,
            example,
            line: n,
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Table types

/// A table type, mapped to JSON schema.
#[derive(Debug, Clone, PartialEq)]
enum Ty {
    /// `String`: a plain string.
    Str,
    /// A correction: a list joined by commas in one string (`x-dingtalk-type: csv`).
    Csv,
    /// `Date`: a `yyyy-MM-dd HH:mm:ss` string (`x-dingtalk-type: datetime`).
    Date,
    /// `Number`: an integer or a number (epoch milliseconds allowed).
    Number,
    /// `Long`: a 64-bit integer.
    Long,
    /// `Integer`: a 32-bit integer.
    Integer,
    /// `Boolean`.
    Bool,
    /// `Object`: any object.
    Object,
    /// A DingTalk type name (`PageVo`, `JsonObject`): an object whose `x-dingtalk-doc-name` is it.
    Named(String),
    /// `X[]` or `Array of X`.
    Array(Box<Ty>),
}

fn parse_ty(s: &str) -> Ty {
    if let Some(inner) = s.strip_suffix("[]") {
        return Ty::Array(Box::new(parse_ty(inner)));
    }
    if let Some(inner) = s.strip_prefix("Array of ") {
        return Ty::Array(Box::new(parse_ty(inner)));
    }
    match s {
        "String" => Ty::Str,
        "Csv" => Ty::Csv,
        "Date" => Ty::Date,
        "Number" => Ty::Number,
        "Long" => Ty::Long,
        "Integer" => Ty::Integer,
        "Boolean" => Ty::Bool,
        "Object" => Ty::Object,
        other => Ty::Named(other.to_owned()),
    }
}

impl Ty {
    /// Whether rows of this type open an object whose fields follow in the table.
    fn is_container(&self) -> bool {
        match self {
            Ty::Object | Ty::Named(_) => true,
            Ty::Array(inner) => inner.is_container(),
            _ => false,
        }
    }

    /// The JSON a table example of this type stands for; `None` for objects (the example column
    /// of object rows holds a description or a type name, and objects are built from their fields).
    fn example(&self, raw: &str) -> Result<Option<Value>, String> {
        Ok(match self {
            Ty::Str | Ty::Csv | Ty::Date => Some(Value::String(raw.to_owned())),
            Ty::Number | Ty::Long | Ty::Integer => match raw.parse::<i64>() {
                Ok(n) => Some(Value::from(n)),
                Err(_) => return Err(format!("table example {raw:?} is not a number")),
            },
            Ty::Bool => match raw {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => return Err(format!("table example {raw:?} is not a boolean")),
            },
            Ty::Array(inner) if inner.is_container() => None,
            Ty::Array(_) => match serde_json::from_str(raw) {
                Ok(v @ Value::Array(_)) => Some(v),
                _ => return Err(format!("table example {raw:?} is not a JSON array")),
            },
            Ty::Object | Ty::Named(_) => None,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The OpenAPI document

/// Follows `$ref`s and picks the non-null branch of `anyOf: [X, {type: null}]`.
fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..16 {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let pointer = r.strip_prefix('#').unwrap_or(r);
            match doc.pointer(pointer) {
                Some(target) => schema = target,
                None => return &Value::Null,
            }
        } else if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
            let non_null: Vec<&Value> = branches
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                .collect();
            match non_null.as_slice() {
                [one] => schema = one,
                _ => return schema,
            }
        } else {
            return schema;
        }
    }
    schema
}

/// The JSON types a schema allows, `null` left out.
fn types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a property schema admits `null` (responses do; requests must not).
fn admits_null(schema: &Value) -> bool {
    let in_type = match schema.get("type") {
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "null"),
        Some(t) => t == "null",
        None => false,
    };
    let in_any_of = schema
        .get("anyOf")
        .and_then(Value::as_array)
        .is_some_and(|bs| {
            bs.iter()
                .any(|b| b.get("type").and_then(Value::as_str) == Some("null"))
        });
    in_type || in_any_of
}

/// A property's `x-dingtalk-type` (on the property itself or on what it refers to).
fn dingtalk_type<'a>(doc: &'a Value, schema: &'a Value) -> Option<&'a str> {
    schema
        .get("x-dingtalk-type")
        .or_else(|| resolve(doc, schema).get("x-dingtalk-type"))
        .and_then(Value::as_str)
}

/// A short account of a schema for failure messages.
fn describe(doc: &Value, schema: &Value) -> String {
    let resolved = resolve(doc, schema);
    let mut out = types(resolved).join("|");
    if out.is_empty() {
        out.push_str("untyped");
    }
    if let Some(format) = resolved.get("format").and_then(Value::as_str) {
        let _ = write!(out, " (format {format})");
    }
    if let Some(t) = dingtalk_type(doc, schema) {
        let _ = write!(out, " (x-dingtalk-type {t})");
    }
    if let Some(name) = resolved.get("x-dingtalk-doc-name").and_then(Value::as_str) {
        let _ = write!(out, " (doc name {name})");
    }
    if types(resolved) == ["array"] {
        let _ = write!(
            out,
            " of {}",
            describe(doc, resolved.get("items").unwrap_or(&Value::Null))
        );
    }
    out
}

/// Checks a property schema against a table type.
fn type_matches(doc: &Value, schema: &Value, ty: &Ty) -> bool {
    let resolved = resolve(doc, schema);
    let ts = types(resolved);
    let format = resolved.get("format").and_then(Value::as_str);
    let dt = dingtalk_type(doc, schema);
    let doc_name = resolved.get("x-dingtalk-doc-name").and_then(Value::as_str);
    match ty {
        Ty::Str => ts == ["string"] && dt.is_none(),
        Ty::Csv => ts == ["string"] && dt == Some("csv"),
        Ty::Date => ts == ["string"] && dt == Some("datetime"),
        Ty::Number => {
            (ts == ["integer"] || ts == ["number"]) && matches!(dt, None | Some("epoch_ms"))
        }
        Ty::Long => {
            ts == ["integer"] && format == Some("int64") && matches!(dt, None | Some("epoch_ms"))
        }
        Ty::Integer => ts == ["integer"] && format == Some("int32") && dt.is_none(),
        Ty::Bool => ts == ["boolean"],
        Ty::Object => ts == ["object"],
        Ty::Named(name) => ts == ["object"] && doc_name == Some(name.as_str()),
        Ty::Array(inner) => {
            ts == ["array"]
                && resolved
                    .get("items")
                    .is_some_and(|items| type_matches(doc, items, inner))
        }
    }
}

/// The object a container row opens: the schema itself or its array items, resolved.
fn object_of<'a>(doc: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    let resolved = resolve(doc, schema);
    if resolved.get("properties").is_some() {
        return Some(resolved);
    }
    if types(resolved) == ["array"] {
        return resolved
            .get("items")
            .and_then(|items| object_of(doc, items));
    }
    None
}

/// A property of an object schema and whether the object requires it.
fn property<'a>(object: &'a Value, name: &str) -> Option<(&'a Value, bool)> {
    let schema = object.get("properties")?.get(name)?;
    let required = object
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|n| n == name));
    Some((schema, required))
}

/// The id GUIDE §1.2 gives a path: its segments after `/topapi/` or `/v1.0/` (or `/`), joined by `.`.
fn id_of(path: &str) -> String {
    let rest = path
        .strip_prefix("/topapi/")
        .or_else(|| path.strip_prefix("/v1.0/"))
        .unwrap_or_else(|| path.trim_start_matches('/'));
    rest.replace('/', ".")
}

/// `https://host/path?query` as (host, path).
fn split_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("https://")?;
    let slash = rest.find('/')?;
    let (host, path) = rest.split_at(slash);
    Some((host, path.split('?').next().unwrap_or(path)))
}

/// Every operation of the document as (operationId, method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                out.push((id.to_owned(), method.to_uppercase(), path.clone(), op));
            }
        }
    }
    out
}

/// The URL of the server an operation names, or of the document's first server.
fn server_url<'a>(doc: &'a Value, op: &'a Value) -> Option<&'a str> {
    op.pointer("/servers/0/url")
        .or_else(|| doc.pointer("/servers/0/url"))
        .and_then(Value::as_str)
}

// ---------------------------------------------------------------------------------------------
// Checking one table

#[derive(Default)]
struct Outcome {
    failures: Vec<String>,
    /// Rows checked: (request, response).
    checked: (usize, usize),
    /// Corrections applied, as (table, row).
    used: BTreeSet<(u32, &'static str)>,
}

struct Check<'a> {
    doc: &'a Value,
    table: &'a Table,
    id: String,
    op: &'a Value,
    out: Outcome,
}

fn check_table(doc: &Value, table: &Table) -> Outcome {
    let mut out = Outcome::default();
    let t = table.number;
    let fail = |out: &mut Outcome, msg: String| {
        out.failures
            .push(format!("table {t} ({}): {msg}", table.title))
    };

    let Some((host, path)) = split_url(&table.url) else {
        fail(&mut out, format!("cannot read the URL {:?}", table.url));
        return out;
    };
    let method = table.method.to_lowercase();
    let Some(op) = doc.pointer(&format!(
        "/paths/{}/{method}",
        path.replace('~', "~0").replace('/', "~1")
    )) else {
        fail(
            &mut out,
            format!("no operation {} {path} in openapi.json", table.method),
        );
        return out;
    };
    let id = op
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if id != id_of(path) {
        fail(
            &mut out,
            format!(
                "{} {path}: operationId is {id:?}, GUIDE §1.2 gives {:?}",
                table.method,
                id_of(path)
            ),
        );
    }
    let expected_server = format!("https://{host}");
    if server_url(doc, op) != Some(expected_server.as_str()) {
        fail(
            &mut out,
            format!(
                "{id}: server is {:?}, the table says {expected_server}",
                server_url(doc, op)
            ),
        );
    }

    let mut check = Check {
        doc,
        table,
        id,
        op,
        out,
    };
    check.parameters();
    check.rows(Part::Body);
    check.rows(Part::Response);
    check.out
}

impl<'a> Check<'a> {
    fn fail(&mut self, row: &Row, msg: impl std::fmt::Display) {
        self.out.failures.push(format!(
            "table {} ({}, {}) {} row `{}` (seed line {}): {msg}",
            self.table.number,
            self.table.title,
            self.id,
            row.part.name(),
            row.name,
            row.line
        ));
    }

    fn correction(&mut self, row: &Row, pick: impl Fn(&Fix) -> bool) -> Option<&'static Fix> {
        let (table, name, fix) = CORRECTIONS
            .iter()
            .find(|(t, r, f)| *t == self.table.number && *r == row.name && pick(f))?;
        self.out.used.insert((*table, *name));
        Some(fix)
    }

    /// The row's type, corrected where the spec documents a correction.
    fn ty(&mut self, row: &Row) -> Ty {
        match self.correction(row, |f| matches!(f, Fix::Type(_))) {
            Some(Fix::Type(t)) => parse_ty(t),
            _ => parse_ty(&row.ty),
        }
    }

    /// Query and header rows: parameters, or the operation's security scheme for the credential.
    fn parameters(&mut self) {
        let rows: Vec<&Row> = self
            .table
            .rows
            .iter()
            .filter(|r| matches!(r.part, Part::Query | Part::Header))
            .collect();
        for row in rows {
            self.out.checked.0 += 1;
            let location = row.part.name();
            let credential = matches!(
                (row.part, row.name.as_str()),
                (Part::Query, "access_token") | (Part::Header, "x-acs-dingtalk-access-token")
            );
            let params = self
                .op
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let param = params.iter().find(|p| p["name"] == row.name.as_str());
            if credential {
                self.credential(row, param.is_some());
                continue;
            }
            let Some(param) = param else {
                self.fail(row, format!("no {location} parameter of that name"));
                continue;
            };
            if param["in"] != location {
                self.fail(
                    row,
                    format!(
                        "the parameter is in {}, the table says {location}",
                        param["in"]
                    ),
                );
            }
            let ty = self.ty(row);
            let _ = self.type_and_example(row, &ty, &param["schema"], param.get("example"), false);
            let required = param["required"].as_bool().unwrap_or(false);
            self.required(row, required);
        }
    }

    /// A credential row: not a parameter, but a required security scheme of the same name and place.
    fn credential(&mut self, row: &Row, listed: bool) {
        if listed {
            self.fail(row, "the credential is listed as a parameter; the client adds it from the security scheme");
        }
        let requirements = self
            .op
            .get("security")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if requirements.is_empty()
            || requirements
                .iter()
                .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
        {
            self.fail(
                row,
                format!(
                    "the table requires the credential, but the security is {:?}",
                    self.op.get("security")
                ),
            );
            return;
        }
        for requirement in &requirements {
            for scheme_name in requirement
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k)
            {
                let scheme = self
                    .doc
                    .pointer(&format!("/components/securitySchemes/{scheme_name}"));
                let ok = scheme.is_some_and(|s| {
                    s["type"] == "apiKey"
                        && s["in"] == row.part.name()
                        && s["name"] == row.name.as_str()
                });
                if !ok {
                    let found = scheme.map_or("missing".to_owned(), |s| {
                        format!("{} `{}` in {}", s["type"], s["name"], s["in"])
                    });
                    self.fail(
                        row,
                        format!(
                            "security scheme `{scheme_name}` is {found}, not an apiKey `{}` in {}",
                            row.name,
                            row.part.name()
                        ),
                    );
                }
            }
        }
    }

    /// Body or response rows, placed in the nesting the table flattens.
    fn rows(&mut self, part: Part) {
        let root = match part {
            Part::Body => self
                .op
                .pointer("/requestBody/content/application~1json/schema"),
            _ => self
                .op
                .pointer("/responses/200/content/application~1json/schema"),
        };
        let rows: Vec<&Row> = self.table.rows.iter().filter(|r| r.part == part).collect();
        if rows.is_empty() {
            return;
        }
        let Some(root) = root.and_then(|s| object_of(self.doc, s)) else {
            for row in rows {
                self.fail(
                    row,
                    format!("the operation has no JSON {} object schema", part.name()),
                );
            }
            return;
        };
        // The objects opened by earlier rows, innermost last.
        let mut open: Vec<(String, &'a Value)> = vec![(part.name().to_owned(), root)];
        for row in rows {
            if part == Part::Response {
                self.out.checked.1 += 1;
            } else {
                self.out.checked.0 += 1;
            }
            let found = (0..open.len())
                .rev()
                .find_map(|i| property(open[i].1, &row.name).map(|p| (i, p)));
            let Some((level, (schema, required))) = found else {
                let path: Vec<&str> = open.iter().map(|(n, _)| n.as_str()).collect();
                self.fail(
                    row,
                    format!(
                        "not a property of {} (nor of the objects around it)",
                        path.join(" > ")
                    ),
                );
                continue;
            };
            open.truncate(level + 1);
            let ty = self.ty(row);
            let typed = self.type_and_example(
                row,
                &ty,
                schema,
                schema.pointer("/examples/0"),
                part == Part::Response,
            );
            if part == Part::Body {
                self.required(row, required);
            }
            if typed && ty.is_container() {
                match object_of(self.doc, schema) {
                    Some(object) => open.push((row.name.clone(), object)),
                    None => self.fail(row, "an object row whose schema has no properties"),
                }
            }
        }
    }

    /// Checks the type (false when it differs) and the example.
    fn type_and_example(
        &mut self,
        row: &Row,
        ty: &Ty,
        schema: &Value,
        example: Option<&Value>,
        response: bool,
    ) -> bool {
        let typed = type_matches(self.doc, schema, ty);
        if !typed {
            let table = if parse_ty(&row.ty) == *ty {
                row.ty.clone()
            } else {
                format!("{} (corrected from {})", fmt_ty(ty), row.ty)
            };
            self.fail(
                row,
                format!(
                    "type: the table says {table}, openapi.json has {}",
                    describe(self.doc, schema)
                ),
            );
        }
        if !response && admits_null(schema) {
            self.fail(
                row,
                "a request property admits null; unset optional fields are omitted, never null",
            );
        }
        let expected = match self.correction(row, |f| matches!(f, Fix::Example(_))) {
            Some(Fix::Example(json)) => {
                Some(serde_json::from_str(json).expect("corrections hold valid JSON"))
            }
            _ => match row.example.as_deref().map(|raw| ty.example(raw)) {
                None | Some(Ok(None)) => None,
                Some(Ok(Some(v))) => Some(v),
                Some(Err(e)) => {
                    self.fail(row, format!("{e}; add a documented correction"));
                    None
                }
            },
        };
        if let Some(expected) = expected
            && example != Some(&expected)
        {
            self.fail(
                row,
                format!(
                    "example: the table says {expected}, openapi.json has {}",
                    example.map_or("none".to_owned(), Value::to_string)
                ),
            );
        }
        typed
    }

    fn required(&mut self, row: &Row, actual: bool) {
        let mut expected = row.required.unwrap_or(false);
        if expected
            && self
                .correction(row, |f| matches!(f, Fix::Optional))
                .is_some()
        {
            expected = false;
        }
        if actual != expected {
            self.fail(
                row,
                format!("required: the table says {expected}, openapi.json says {actual}"),
            );
        }
    }
}

fn fmt_ty(ty: &Ty) -> String {
    match ty {
        Ty::Array(inner) => format!("{}[]", fmt_ty(inner)),
        Ty::Named(n) => n.clone(),
        other => format!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// GUIDE §1.2

/// The (method, URL, id) rows of the GUIDE §1.2 table.
fn guide_ids(guide: &str) -> Vec<(String, String, String)> {
    let section = guide.split("### 1.2").nth(1).unwrap_or_default();
    let section = section.split("\n### ").next().unwrap_or_default();
    let mut out = Vec::new();
    for line in section.lines() {
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

// ---------------------------------------------------------------------------------------------
// The tests

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
        assert_eq!(
            *id,
            id_of(path),
            "{method} {path}: operationId differs from GUIDE §1.2's rule"
        );
    }
    println!("openapi.json: {} operations", ops.len());
    assert!(
        ops.len() >= 24,
        "openapi.json has {} operations, expected at least 24",
        ops.len()
    );

    let guide = guide_ids(&read(GUIDE));
    assert!(
        guide.len() >= 9,
        "GUIDE §1.2 table not found or shorter than expected: {guide:?}"
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
                "GUIDE §1.2 id `{id}` is in the spec but not in openapi.json"
            ));
            continue;
        };
        let (host, path) = split_url(url).expect("GUIDE URLs are https");
        let server = server_url(&doc, op);
        if op_method != method
            || *op_path != path
            || server != Some(format!("https://{host}").as_str())
        {
            failures.push(format!(
                "GUIDE §1.2 `{id}`: {method} {url}, openapi.json has {op_method} {server:?}{op_path}"
            ));
        }
    }
    println!(
        "GUIDE §1.2: {covered} of {} ids are in the spec and checked",
        guide.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
