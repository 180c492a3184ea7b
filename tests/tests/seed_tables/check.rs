//! One table checked against the OpenAPI document, row by row, with the spec's deliberate
//! corrections applied.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::schema::*;
use crate::seed::*;

/// What the spec says instead of the table, for one row.
pub(crate) enum Fix {
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
pub(crate) const CORRECTIONS: &[(u32, &str, Fix)] = &[
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

#[derive(Default)]
pub(crate) struct Outcome {
    pub(crate) failures: Vec<String>,
    /// Rows checked: (request, response).
    pub(crate) checked: (usize, usize),
    /// Corrections applied, as (table, row).
    pub(crate) used: BTreeSet<(u32, &'static str)>,
}

pub(crate) struct Check<'a> {
    pub(crate) doc: &'a Value,
    pub(crate) table: &'a Table,
    pub(crate) id: String,
    pub(crate) op: &'a Value,
    pub(crate) out: Outcome,
}

pub(crate) fn check_table(doc: &Value, table: &Table) -> Outcome {
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
                "{} {path}: operationId is {id:?}, the id table gives {:?}",
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
    pub(crate) fn fail(&mut self, row: &Row, msg: impl std::fmt::Display) {
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

    pub(crate) fn correction(
        &mut self,
        row: &Row,
        pick: impl Fn(&Fix) -> bool,
    ) -> Option<&'static Fix> {
        let (table, name, fix) = CORRECTIONS
            .iter()
            .find(|(t, r, f)| *t == self.table.number && *r == row.name && pick(f))?;
        self.out.used.insert((*table, *name));
        Some(fix)
    }

    /// The row's type, corrected where the spec documents a correction.
    pub(crate) fn ty(&mut self, row: &Row) -> Ty {
        match self.correction(row, |f| matches!(f, Fix::Type(_))) {
            Some(Fix::Type(t)) => parse_ty(t),
            _ => parse_ty(&row.ty),
        }
    }

    /// Query and header rows: parameters, or the operation's security scheme for the credential.
    pub(crate) fn parameters(&mut self) {
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
    pub(crate) fn credential(&mut self, row: &Row, listed: bool) {
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
    pub(crate) fn rows(&mut self, part: Part) {
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
    pub(crate) fn type_and_example(
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

    pub(crate) fn required(&mut self, row: &Row, actual: bool) {
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

pub(crate) fn fmt_ty(ty: &Ty) -> String {
    match ty {
        Ty::Array(inner) => format!("{}[]", fmt_ty(inner)),
        Ty::Named(n) => n.clone(),
        other => format!("{other:?}"),
    }
}
