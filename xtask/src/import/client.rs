//! The strict reader of one `client.py`: every operation the SDK's `Client` class defines.
//!
//! Each operation appears four times: `x_with_options`, its `async` twin, and the plain `x` and
//! `x_async` that only fill in default headers and runtime options and delegate. Every line of
//! all four is matched against the statements the SDK generator writes (see
//! [`super::statements`]); any other line is a located problem. The facts come from the
//! synchronous function that builds `open_api_models.Params(...)`, found by that content (its
//! Python name is unreliable), and keyed by the action string; the async twin must state the
//! same facts.

use std::collections::BTreeMap;

use super::pattern::{Line, Problems, capture, is, one, two};
use super::statements::{Body, read_body};

/// Where a request field goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    Query,
    Body,
    Header,
}

/// `query['w'] = request.f` (or `body[...]`, `real_headers[...]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sent {
    pub place: Place,
    pub wire: String,
    /// The Python field of the request (or headers) model, `_shrink` included when shrunk.
    pub field: String,
    pub line: usize,
}

/// `request.f_shrink = OpenApiUtilClient.array_to_string_with_specified_style(tmp_req.f, 'w', 'json')`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shrink {
    pub field: String,
    pub target: String,
    pub style: String,
    pub line: usize,
}

/// What `OpenApiRequest(body=...)` sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BodyKw {
    None,
    /// `OpenApiUtilClient.parse_to_map(body)`: the JSON object built field by field.
    Map,
    /// `UtilClient.to_array(request.f)` or `request.f`: one field is the whole body.
    Whole(String),
}

/// One operation as `client.py` states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawOp {
    /// The line of the `def`.
    pub line: usize,
    pub title: Option<String>,
    /// The path arguments (snake_case, as declared).
    pub path_args: Vec<String>,
    /// The request model class, when the operation takes a request.
    pub request: Option<String>,
    /// The headers model class; `None` for `headers: Dict[str, str]`.
    pub headers: Option<String>,
    /// The response wrapper class.
    pub response: String,
    pub shrinks: Vec<Shrink>,
    pub sent: Vec<Sent>,
    pub body: BodyKw,
    /// Whether `OpenApiRequest(headers=real_headers)` (else `headers=headers`).
    pub real_headers: bool,
    /// `Params(...)`: each keyword's value and line.
    pub params: BTreeMap<String, (String, usize)>,
}

impl RawOp {
    /// The value of a `Params` keyword (all nine are present once read).
    pub(crate) fn param(&self, key: &str) -> &str {
        self.params.get(key).map_or("", |(v, _)| v.as_str())
    }

    /// The line of a `Params` keyword.
    pub(crate) fn param_line(&self, key: &str) -> usize {
        self.params.get(key).map_or(self.line, |(_, l)| *l)
    }

    /// The same facts with every line number zeroed, to compare an async twin.
    fn facts(&self) -> RawOp {
        let mut o = self.clone();
        o.line = 0;
        o.sent.iter_mut().for_each(|s| s.line = 0);
        o.shrinks.iter_mut().for_each(|s| s.line = 0);
        o.params.values_mut().for_each(|(_, l)| *l = 0);
        o
    }
}

/// A `client.py`: the models module alias, the endpoint and the operations in file order.
#[derive(Debug, Default)]
pub(crate) struct Client {
    pub endpoint: String,
    pub ops: Vec<RawOp>,
}

/// One function of the class: its def line, signature and body.
pub(crate) struct Func<'l, 'a> {
    pub def: Line<'a>,
    pub name: &'a str,
    pub is_async: bool,
    /// `(name, annotation, line)` after `self`.
    pub args: Vec<(&'a str, &'a str, usize)>,
    pub returns: Option<&'a str>,
    pub body: &'l [Line<'a>],
}

/// Reads `client.py` of folder `folder`.
pub(crate) fn read(lines: &[Line<'_>], folder: &str, problems: &mut Problems) -> Client {
    let mut client = Client::default();
    let mut alias = None;
    let mut i = 0;
    // Module level: comments, imports, then the class.
    while i < lines.len() {
        let line = &lines[i];
        i += 1;
        let t = line.text;
        if t.is_empty() {
            continue;
        }
        if line.indent == 0 && t == "class Client(OpenApiClient):" {
            break;
        }
        if let Some((module, name)) = two(t, "from alibabacloud_dingtalk.$i import models as $i") {
            if module != folder {
                problems.at(
                    line.no,
                    format!("imports the models of `{module}`, not `{folder}`"),
                );
            }
            alias = Some(name);
            continue;
        }
        let known = line.indent == 0
            && (t == "# -*- coding: utf-8 -*-"
                || t == "# This file is auto-generated, don't edit it. Thanks."
                || is(t, "from $t import $i")
                || is(t, "from $t import $i as $i"));
        if !known {
            problems.unknown(line, "client.py (module level)");
        }
    }
    let Some(alias) = alias else {
        problems.at(
            0,
            format!("no `from alibabacloud_dingtalk.{folder} import models as ...` line"),
        );
        return client;
    };
    let class = &lines[i.min(lines.len())..];
    let mut ops: Vec<RawOp> = Vec::new();
    let mut twins: Vec<RawOp> = Vec::new();
    let mut seen_init = false;
    for func in functions(class, problems) {
        if func.name == "__init__" && !func.is_async {
            seen_init = true;
            read_init(&func, &mut client, problems);
            continue;
        }
        match read_body(&func, alias, problems) {
            Some(Body::Operation(op)) if func.is_async => twins.push(*op),
            Some(Body::Operation(op)) => ops.push(*op),
            Some(Body::Delegate) | None => {}
        }
    }
    if !seen_init {
        problems.at(0, "the Client class has no __init__ setting its endpoint");
    }
    let mut by_action: BTreeMap<String, usize> = BTreeMap::new();
    for (n, op) in ops.iter().enumerate() {
        if let Some(first) = by_action.insert(op.param("action").to_owned(), n) {
            problems.at(
                op.line,
                format!(
                    "action `{}` is defined twice (first at line {})",
                    op.param("action"),
                    ops[first].line
                ),
            );
        }
    }
    for twin in &twins {
        match by_action.get(twin.param("action")) {
            Some(&n) if ops[n].facts() != twin.facts() => problems.at(
                twin.line,
                format!(
                    "the async variant of `{}` states other facts than the sync one (line {})",
                    twin.param("action"),
                    ops[n].line
                ),
            ),
            _ => {}
        }
    }
    client.ops = ops;
    client
}

/// The class body split into functions; the class docstring checked.
fn functions<'l, 'a>(class: &'l [Line<'a>], problems: &mut Problems) -> Vec<Func<'l, 'a>> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut docstring = 0;
    while i < class.len() {
        let line = class[i];
        i += 1;
        if line.text.is_empty() {
            continue;
        }
        let def = if line.indent == 4 {
            line.text
                .strip_prefix("async def ")
                .map(|r| (true, r))
                .or_else(|| line.text.strip_prefix("def ").map(|r| (false, r)))
        } else {
            None
        };
        let Some((is_async, rest)) = def else {
            // The class docstring: `"""`, `*\`, `"""`, before the first function.
            let doc =
                out.is_empty() && line.indent == 4 && (line.text == "\"\"\"" || line.text == "*\\");
            if doc && docstring < 3 {
                docstring += 1;
            } else {
                problems.unknown(&line, "the Client class (outside a function)");
            }
            continue;
        };
        let start = i;
        while i < class.len()
            && !(class[i].indent == 4
                && (class[i].text.starts_with("def ") || class[i].text.starts_with("async def ")))
        {
            if class[i].indent == 0 && !class[i].text.is_empty() {
                break;
            }
            i += 1;
        }
        let chunk = &class[start..i];
        if let Some(func) = signature(line, is_async, rest, chunk, problems) {
            out.push(func);
        }
    }
    out
}

/// Reads a function's signature from its def line and the lines after it.
fn signature<'l, 'a>(
    def: Line<'a>,
    is_async: bool,
    rest: &'a str,
    chunk: &'l [Line<'a>],
    problems: &mut Problems,
) -> Option<Func<'l, 'a>> {
    if let Some((name, ret)) = two(rest, "$i(self) -> $t:") {
        return Some(Func {
            def,
            name,
            is_async,
            args: Vec::new(),
            returns: Some(ret),
            body: chunk,
        });
    }
    let Some(name) = one(rest, "$i(") else {
        problems.unknown(&def, "a function signature");
        return None;
    };
    let mut args = Vec::new();
    let mut self_seen = false;
    for (n, line) in chunk.iter().enumerate() {
        if line.indent == 4 {
            let returns = match one(line.text, ") -> $t:") {
                Some(r) => Some(r),
                None if line.text == "):" => None,
                None => {
                    problems.unknown(line, "a function signature");
                    return None;
                }
            };
            if !self_seen {
                problems.at(def.no, "the first parameter is not `self`");
            }
            return Some(Func {
                def,
                name,
                is_async,
                args,
                returns,
                body: &chunk[n + 1..],
            });
        }
        if line.indent == 8 && !self_seen && line.text == "self," {
            self_seen = true;
        } else if let Some((arg, ann)) =
            two(line.text, "$i: $t,").filter(|_| line.indent == 8 && self_seen)
        {
            args.push((arg, ann, line.no));
        } else {
            problems.unknown(line, "a function signature");
        }
    }
    problems.at(def.no, format!("the signature of `{name}` is not closed"));
    None
}

/// `__init__`: the fixed statements that set the gateway and the endpoint (some clients also
/// set `self._signature_algorithm`, which the DingTalk gateway does not use).
fn read_init(func: &Func<'_, '_>, client: &mut Client, problems: &mut Problems) {
    let expected: [(&str, usize); 6] = [
        ("super().__init__(config)", 8),
        ("gateway_client = GatewayClientClient()", 8),
        ("self._spi = gateway_client", 8),
        ("self._endpoint_rule = ''", 8),
        ("if UtilClient.empty(self._endpoint):", 8),
        ("self._endpoint = '$s'", 12),
    ];
    let stmts: Vec<&Line<'_>> = func
        .body
        .iter()
        .filter(|l| !l.text.is_empty())
        .filter(|l| !(l.indent == 8 && is(l.text, "self._signature_algorithm = '$s'")))
        .collect();
    let args_ok = func.args.len() == 1
        && func.args[0].0 == "config"
        && func.args[0].1 == "open_api_models.Config";
    if !args_ok || func.returns.is_some() {
        problems.at(
            func.def.no,
            "Client.__init__ does not take `config: open_api_models.Config` alone",
        );
    }
    for (n, line) in stmts.iter().enumerate() {
        match expected.get(n) {
            Some((pat, indent)) if *indent == line.indent && capture(line.text, pat).is_some() => {
                if let Some(host) = one(line.text, "self._endpoint = '$s'") {
                    client.endpoint = host.to_owned();
                }
            }
            _ => problems.unknown(line, "Client.__init__"),
        }
    }
    if stmts.len() < expected.len() {
        problems.at(func.def.no, "Client.__init__ does not set the endpoint");
    }
}
