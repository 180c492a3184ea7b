//! The seed's tables: sections, rows and their cells, parsed from the text as DingTalk's
//! documentation lays them out, and the table notation of types and examples.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Query,
    Header,
    Body,
    Response,
}

impl Part {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Part::Query => "query",
            Part::Header => "header",
            Part::Body => "body",
            Part::Response => "response",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) part: Part,
    pub(crate) name: String,
    pub(crate) ty: String,
    /// `None` in response tables.
    pub(crate) required: Option<bool>,
    /// `None` when the table has no example column or the cell is empty.
    pub(crate) example: Option<String>,
    /// The seed line the row starts on.
    pub(crate) line: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub(crate) number: u32,
    pub(crate) title: String,
    pub(crate) method: String,
    pub(crate) url: String,
    pub(crate) rows: Vec<Row>,
}

impl Table {
    pub(crate) fn counts(&self) -> (usize, usize) {
        let response = self
            .rows
            .iter()
            .filter(|r| r.part == Part::Response)
            .count();
        (self.rows.len() - response, response)
    }
}

/// The cells of a `a | b | c |` line (the empty cell after the last `|` dropped).
pub(crate) fn cells(line: &str) -> Vec<String> {
    let mut cells: Vec<String> = line.split('|').map(|c| c.trim().to_owned()).collect();
    if cells.last().is_some_and(String::is_empty) {
        cells.pop();
    }
    cells
}

/// `12、标题` starts table 12.
pub(crate) fn section_header(line: &str) -> Option<(u32, &str)> {
    let (number, title) = line.split_once('、')?;
    let number = number.parse().ok()?;
    Some((number, title))
}

pub(crate) struct Parser {
    pub(crate) tables: Vec<Table>,
    pub(crate) errors: Vec<String>,
    pub(crate) part: Option<Part>,
    pub(crate) columns: Option<Vec<String>>,
    /// A row whose closing `|` is on a later line: its text so far and its first line.
    pub(crate) pending: Option<(String, usize)>,
    /// The path of a `GET /v1.0/... HTTP/1.1` request line, waiting for its `Host:` line.
    pub(crate) request_path: Option<String>,
}

pub(crate) fn parse_seed(text: &str) -> Result<Vec<Table>, Vec<String>> {
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
    pub(crate) fn line(&mut self, n: usize, line: &str) {
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

    pub(crate) fn row(&mut self, n: usize, text: &str) {
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

/// A table type, mapped to JSON schema.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ty {
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

pub(crate) fn parse_ty(s: &str) -> Ty {
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
    pub(crate) fn is_container(&self) -> bool {
        match self {
            Ty::Object | Ty::Named(_) => true,
            Ty::Array(inner) => inner.is_container(),
            _ => false,
        }
    }

    /// The JSON a table example of this type stands for; `None` for objects (the example column
    /// of object rows holds a description or a type name, and objects are built from their fields).
    pub(crate) fn example(&self, raw: &str) -> Result<Option<Value>, String> {
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
