//! The statement grammar of an operation function of `client.py`, closed: a line that is none
//! of these is a located problem.
//!
//! | statement | meaning |
//! | --- | --- |
//! | docstring: `@summary T`, `@param a: C`, `@return: C` | the title |
//! | `UtilClient.validate_model(request)` | noise |
//! | `request = m.XShrinkRequest()`, `OpenApiUtilClient.convert(tmp_req, request)` | shrink form |
//! | `if not UtilClient.is_unset(tmp_req.f):` + `request.f_shrink = OpenApiUtilClient.array_to_string_with_specified_style(tmp_req.f, 'w', 'json')` | JSON text / csv |
//! | `query = {}`, `body = {}`, `real_headers = {}` | |
//! | `if not UtilClient.is_unset(request.f):` + `query['w'] = request.f` (or `body`) | a field |
//! | `if not UtilClient.is_unset(headers.common_headers):` + `real_headers = headers.common_headers` | noise |
//! | `if not UtilClient.is_unset(headers.f):` + `real_headers['w'] = UtilClient.to_jsonstring(headers.f)` | a header |
//! | `req = open_api_models.OpenApiRequest(headers=…, query=…, body=…)` | what is sent |
//! | `params = open_api_models.Params(action=…, …)` | the operation |
//! | `return TeaCore.from_map(m.XResponse(), self.execute(params, req, runtime))` | the response class |
//!
//! The delegating variants hold only `runtime = util_models.RuntimeOptions()`,
//! `headers = m.XHeaders()` (or `headers = {}`) and `return self.x_with_options(...)`.

use std::collections::BTreeMap;

use super::client::{BodyKw, Func, Place, RawOp, Sent, Shrink};
use super::pattern::{Line, Problems, capture, is, one, two};

/// What a function of the class is.
pub(crate) enum Body {
    /// An `x_with_options` function: the operation.
    Operation(Box<RawOp>),
    /// A plain variant that delegates.
    Delegate,
}

/// The nine keywords of `Params(...)`.
pub(crate) const PARAMS: [&str; 9] = [
    "action",
    "version",
    "protocol",
    "pathname",
    "method",
    "auth_type",
    "style",
    "req_body_type",
    "body_type",
];

/// The signature of an operation function.
struct Signature {
    path_args: Vec<String>,
    request: Option<(String, bool)>,
    headers: Option<String>,
    response: String,
}

fn model_class<'a>(annotation: &'a str, alias: &str) -> Option<&'a str> {
    two(annotation, "$i.$i")
        .filter(|(a, _)| *a == alias)
        .map(|(_, c)| c)
}

/// The operation signature: path arguments, `request`/`tmp_req`, `headers`, `runtime`.
fn operation_signature(func: &Func<'_, '_>, alias: &str) -> Result<Signature, String> {
    let mut sig = Signature {
        path_args: Vec::new(),
        request: None,
        headers: None,
        response: String::new(),
    };
    let mut args = func.args.iter().peekable();
    while let Some((name, _, _)) =
        args.next_if(|(n, a, _)| *a == "str" && !matches!(*n, "request" | "tmp_req" | "headers"))
    {
        sig.path_args.push((*name).to_owned());
    }
    if let Some((name, ann, _)) = args.next_if(|(n, ..)| matches!(*n, "request" | "tmp_req")) {
        let class = model_class(ann, alias)
            .ok_or_else(|| format!("`{name}` is annotated `{ann}`, not a model of `{alias}`"))?;
        sig.request = Some((class.to_owned(), *name == "tmp_req"));
    }
    match args.next() {
        Some(("headers", "Dict[str, str]", _)) => {}
        Some(("headers", ann, _)) => {
            let class =
                model_class(ann, alias).ok_or_else(|| format!("`headers` is annotated `{ann}`"))?;
            sig.headers = Some(class.to_owned());
        }
        other => return Err(format!("expected the `headers` parameter, found {other:?}")),
    }
    match (args.next(), args.next()) {
        (Some(("runtime", "util_models.RuntimeOptions", _)), None) => {}
        _ => {
            return Err(
                "expected `runtime: util_models.RuntimeOptions` as the last parameter".to_owned(),
            );
        }
    }
    let ret = func.returns.ok_or("no return annotation")?;
    sig.response = model_class(ret, alias)
        .ok_or_else(|| format!("returns `{ret}`"))?
        .to_owned();
    Ok(sig)
}

/// What the statements of one function state.
#[derive(Default)]
struct Seen {
    title: Option<String>,
    validated: Option<String>,
    shrink_class: Option<String>,
    converted: bool,
    dicts: Vec<&'static str>,
    shrinks: Vec<Shrink>,
    sent: Vec<Sent>,
    common_headers: bool,
    req: Option<BTreeMap<String, String>>,
    params: Option<BTreeMap<String, (String, usize)>>,
    returned: Option<String>,
    delegate: Vec<usize>,
}

/// Reads the body of one function of the class.
pub(crate) fn read_body(func: &Func<'_, '_>, alias: &str, problems: &mut Problems) -> Option<Body> {
    let before = problems.items.len();
    let mut seen = Seen::default();
    let body: Vec<&Line<'_>> = func.body.iter().filter(|l| !l.text.is_empty()).collect();
    let mut i = 0;
    while i < body.len() {
        let line = body[i];
        i += 1;
        if line.indent != 8 {
            problems.unknown(line, "an operation function");
            continue;
        }
        let t = line.text;
        if t == "\"\"\"" {
            i = docstring(&body, i, &mut seen, problems);
        } else if let Some(arg) = one(t, "UtilClient.validate_model($i)") {
            seen.validated = Some(arg.to_owned());
        } else if let Some((_, class)) = two(t, "request = $i.$i()").filter(|(m, _)| *m == alias) {
            seen.shrink_class = Some(class.to_owned());
        } else if t == "OpenApiUtilClient.convert(tmp_req, request)" {
            seen.converted = true;
        } else if let Some(d) = ["query = {}", "body = {}", "real_headers = {}"]
            .iter()
            .find(|d| **d == t)
        {
            seen.dicts.push(d.split(' ').next().unwrap_or_default());
        } else if let Some((obj, field)) = two(t, "if not UtilClient.is_unset($i.$i):") {
            let next = body.get(i).filter(|l| l.indent == 12);
            i += usize::from(next.is_some());
            match next {
                Some(n) => guarded(obj, field, n, &mut seen, problems),
                None => problems.unknown(
                    line,
                    "an operation function (an `if` without its statement)",
                ),
            }
        } else if t == "req = open_api_models.OpenApiRequest(" {
            let (kw, next) = keywords(&body, i, problems);
            i = next;
            seen.req = Some(kw.into_iter().map(|(k, (v, _))| (k, v)).collect());
        } else if t == "params = open_api_models.Params(" {
            let (kw, next) = keywords(&body, i, problems);
            i = next;
            seen.params = Some(kw);
        } else if t == "return TeaCore.from_map(" {
            let block: Vec<&str> = body[i..].iter().take(3).map(|l| l.text).collect();
            let run = if func.is_async {
                "await self.execute_async(params, req, runtime)"
            } else {
                "self.execute(params, req, runtime)"
            };
            let class = block
                .first()
                .and_then(|b| two(b, "$i.$i(),"))
                .filter(|(m, _)| *m == alias);
            let indents_ok = body[i..].iter().take(3).map(|l| l.indent).eq([12, 12, 8]);
            match class {
                Some((_, c))
                    if block.len() == 3 && block[1] == run && block[2] == ")" && indents_ok =>
                {
                    seen.returned = Some(c.to_owned());
                    i += 3;
                }
                _ => problems.unknown(line, "an operation function (the return block)"),
            }
        } else if t == "runtime = util_models.RuntimeOptions()"
            || t == "headers = {}"
            || two(t, "headers = $i.$i()").is_some_and(|(m, _)| m == alias)
            || is(t, "return self.$i($*)")
            || (func.is_async && is(t, "return await self.$i($*)"))
        {
            seen.delegate.push(line.no);
        } else {
            problems.unknown(line, "an operation function");
        }
    }
    if problems.items.len() != before {
        return None;
    }
    if seen.params.is_none() {
        let op_parts = seen.req.is_some() || seen.returned.is_some() || !seen.sent.is_empty();
        if op_parts || seen.delegate.is_empty() {
            problems.at(
                func.def.no,
                format!("`{}` neither builds `Params(...)` nor delegates", func.name),
            );
            return None;
        }
        return Some(Body::Delegate);
    }
    if let Some(&no) = seen.delegate.first() {
        problems.at(no, "a delegating statement inside an operation function");
        return None;
    }
    operation(func, alias, seen, problems)
}

/// The docstring from after its opening line; returns the index after its closing line.
fn docstring(body: &[&Line<'_>], mut i: usize, seen: &mut Seen, problems: &mut Problems) -> usize {
    while let Some(line) = body.get(i) {
        i += 1;
        let t = line.text;
        if t == "\"\"\"" && line.indent == 8 {
            return i;
        }
        if let Some(summary) = one(t, "@summary $*") {
            seen.title = Some(summary.trim().to_owned());
        } else if !(is(t, "@param $i: $*") || is(t, "@return: $*")) || line.indent != 8 {
            problems.unknown(line, "a docstring");
        }
    }
    problems.at(
        body.last().map_or(0, |l| l.no),
        "the docstring is not closed",
    );
    i
}

/// The statement under `if not UtilClient.is_unset(obj.field):`.
fn guarded(obj: &str, field: &str, next: &Line<'_>, seen: &mut Seen, problems: &mut Problems) {
    let t = next.text;
    let no = next.no;
    match obj {
        "tmp_req" => {
            let pat = "request.$i = OpenApiUtilClient.array_to_string_with_specified_style(tmp_req.$i, '$s', '$s')";
            match capture(t, pat) {
                Some(c) if c[1] == field => seen.shrinks.push(Shrink {
                    field: field.to_owned(),
                    target: c[0].to_owned(),
                    style: c[3].to_owned(),
                    line: no,
                }),
                _ => problems.unknown(next, "a shrink statement"),
            }
        }
        "request" => {
            let query = capture(t, "query['$s'] = request.$i").map(|c| (Place::Query, c));
            match query.or_else(|| capture(t, "body['$s'] = request.$i").map(|c| (Place::Body, c)))
            {
                Some((place, c)) if c[1] == field => seen.sent.push(Sent {
                    place,
                    wire: c[0].to_owned(),
                    field: field.to_owned(),
                    line: no,
                }),
                _ => problems.unknown(next, "a request field statement"),
            }
        }
        "headers" if field == "common_headers" => {
            if t == "real_headers = headers.common_headers" {
                seen.common_headers = true;
            } else {
                problems.unknown(next, "the common headers statement");
            }
        }
        "headers" => match capture(
            t,
            "real_headers['$s'] = UtilClient.to_jsonstring(headers.$i)",
        ) {
            Some(c) if c[1] == field => seen.sent.push(Sent {
                place: Place::Header,
                wire: c[0].to_owned(),
                field: field.to_owned(),
                line: no,
            }),
            _ => problems.unknown(next, "a header statement"),
        },
        _ => problems.unknown(next, "an `if not UtilClient.is_unset(...)` statement"),
    }
}

/// The `key=value` lines of a call up to its closing `)`: the values as written (a string
/// literal's inside for `'...'` and `f'...'`) with their lines; returns the index after `)`.
fn keywords(
    body: &[&Line<'_>],
    mut i: usize,
    problems: &mut Problems,
) -> (BTreeMap<String, (String, usize)>, usize) {
    let mut out = BTreeMap::new();
    while let Some(line) = body.get(i) {
        i += 1;
        if line.indent == 8 && line.text == ")" {
            return (out, i);
        }
        let t = line.text.strip_suffix(',').unwrap_or(line.text);
        let kv = two(t, "$i='$s'")
            .or_else(|| two(t, "$i=f'$s'"))
            .or_else(|| two(t, "$i=$*"));
        match kv {
            Some((k, v)) if line.indent == 12 => {
                if out.insert(k.to_owned(), (v.to_owned(), line.no)).is_some() {
                    problems.at(line.no, format!("keyword `{k}` given twice"));
                }
            }
            _ => problems.unknown(line, "a call's keyword arguments"),
        }
    }
    problems.at(
        body.last().map_or(0, |l| l.no),
        "a call is not closed by `)`",
    );
    (out, i)
}

/// Checks what an operation function's statements state together and builds the operation.
fn operation(
    func: &Func<'_, '_>,
    alias: &str,
    seen: Seen,
    problems: &mut Problems,
) -> Option<Body> {
    let no = func.def.no;
    let sig = match operation_signature(func, alias) {
        Ok(s) => s,
        Err(e) => {
            problems.at(no, format!("unexpected operation signature: {e}"));
            return None;
        }
    };
    let params = seen.params.unwrap_or_default();
    let keys: Vec<&str> = params.keys().map(String::as_str).collect();
    let mut expected = PARAMS.to_vec();
    expected.sort_unstable();
    if keys != expected {
        problems.at(
            no,
            format!("Params(...) has the keywords {keys:?}, expected {expected:?}"),
        );
        return None;
    }
    let mut fail = |message: String| problems.at(no, message);
    let shrink = sig.request.as_ref().is_some_and(|(_, s)| *s);
    let arg = sig
        .request
        .as_ref()
        .map(|(_, s)| if *s { "tmp_req" } else { "request" });
    if seen.validated.as_deref() != arg {
        fail(format!(
            "validate_model is called on {:?}, expected {arg:?}",
            seen.validated
        ));
    }
    if shrink != (seen.shrink_class.is_some() && seen.converted) {
        fail("the shrink form (`tmp_req`, `XShrinkRequest()`, `convert`) is incomplete".to_owned());
    }
    if !shrink && !seen.shrinks.is_empty() {
        fail("a shrink statement without `tmp_req`".to_owned());
    }
    if sig.request.is_none() && seen.sent.iter().any(|s| s.place != Place::Header) {
        fail("a request field is sent but the function takes no request".to_owned());
    }
    let req = seen.req.unwrap_or_default();
    let built = |d: &str| seen.dicts.contains(&d);
    let real_headers = match req.get("headers").map(String::as_str) {
        Some("real_headers")
            if built("real_headers") && seen.common_headers && sig.headers.is_some() =>
        {
            true
        }
        Some("headers") if !built("real_headers") && sig.headers.is_none() => false,
        other => {
            fail(format!(
                "OpenApiRequest(headers={other:?}) does not match the headers built"
            ));
            false
        }
    };
    match (req.get("query").map(String::as_str), built("query")) {
        (Some("OpenApiUtilClient.query(query)"), true) | (None, false) => {}
        (q, _) => fail(format!(
            "OpenApiRequest(query={q:?}) does not match the query built"
        )),
    }
    let body = match (req.get("body").map(String::as_str), built("body")) {
        (Some("OpenApiUtilClient.parse_to_map(body)"), true) => BodyKw::Map,
        (None, false) => BodyKw::None,
        (Some(b), false) => {
            match one(b, "UtilClient.to_array(request.$i)").or_else(|| one(b, "request.$i")) {
                Some(f) => BodyKw::Whole(f.to_owned()),
                None => {
                    fail(format!("unknown OpenApiRequest(body={b})"));
                    BodyKw::None
                }
            }
        }
        (b, _) => {
            fail(format!(
                "OpenApiRequest(body={b:?}) does not match the body built"
            ));
            BodyKw::None
        }
    };
    if let Some(k) = req
        .keys()
        .find(|k| !matches!(k.as_str(), "headers" | "query" | "body"))
    {
        fail(format!("unknown OpenApiRequest keyword `{k}`"));
    }
    for s in &seen.sent {
        let dict = match s.place {
            Place::Query => "query",
            Place::Body => "body",
            Place::Header => "real_headers",
        };
        if !built(dict) {
            problems.at(
                s.line,
                format!("`{dict}[...]` is set before `{dict} = {{}}`"),
            );
        }
    }
    if seen.returned.as_deref() != Some(sig.response.as_str()) {
        problems.at(
            no,
            format!(
                "returns {:?} but is annotated `{}`",
                seen.returned, sig.response
            ),
        );
    }
    Some(Body::Operation(Box::new(RawOp {
        line: no,
        title: seen.title,
        path_args: sig.path_args,
        request: sig.request.map(|(c, _)| c),
        headers: sig.headers,
        response: sig.response,
        shrinks: seen.shrinks,
        sent: seen.sent,
        body,
        real_headers,
        params,
    })))
}
