//! "The request" rebuilt from the wire: every parameter by wire name, from the body (a JSON
//! object, a whole-body value, an HTML form or a multipart form), the path, the query and the
//! declared headers, each decoded the way its [`Encode`] says; and the wire paths of the values
//! that arrived as text, which the typed check may read as numbers or booleans.
//!
//! - a path parameter is its segment percent-decoded, as text;
//! - a whole-body parameter ([`Location::WholeBody`]) is the body, whatever JSON it is;
//! - [`Encode::Json`]: the query value, the header or the body key's string is JSON text, read
//!   back into the value it spells (malformed text is an invalid parameter);
//! - [`Encode::Repeat`]: the query keys `name.1=a&name.2=b` are the list `["a", "b"]`, and
//!   `name.1.key=v` the list `[{"key": "v"}]` (numbered from 1, nesting the same way); each
//!   item's text may be read as a number or a boolean.

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use crate::answer::Failure;
use crate::auth;
use crate::multipart::Form;
use crate::shared::Incoming;
use dingtalk_openapi_runtime::operation::{
    Encode, Location, Method as OpMethod, OperationInfo, Param,
};

/// "The request" by wire names, and the wire paths (`name`, `list[0].key`) of the values that
/// arrived as text.
pub(crate) type Rebuilt = (Map<String, Value>, Vec<String>);

/// "The request" of `info` as `request` carries it (`form`: its multipart form, if read;
/// `path_params`: the raw path segments the route matched, by wire name).
pub(crate) fn rebuild(
    info: &OperationInfo,
    request: &Incoming,
    form: Option<&Form>,
    path_params: &[(&'static str, String)],
) -> Result<Rebuilt, Failure> {
    let (mut params, mut coercible) = match form {
        Some(form) => form.params()?,
        None => body_params(info, request)?,
    };
    decode_body_json(info, &mut params, &mut coercible)?;
    for (name, raw) in path_params {
        let value = percent_decode_str(raw).decode_utf8().map_err(|_| {
            Failure::invalid(name, "the path segment is not UTF-8 once percent-decoded")
        })?;
        params.insert((*name).to_owned(), Value::String(value.into_owned()));
        coercible.push((*name).to_owned());
    }
    query_params(info, request, &mut params, &mut coercible)?;
    for param in info
        .params
        .iter()
        .filter(|p| p.location == Location::Header)
    {
        if let Some(value) = request.header(param.name) {
            put_text(param, value, &mut params, &mut coercible)?;
        }
    }
    Ok((params, coercible))
}

/// Whether the operation also takes its parameters as an HTML form: the topapi operations do
/// (DingTalk's own curl examples for them post `application/x-www-form-urlencoded`, the
/// `access_token` among the fields), every other one wants JSON.
pub(crate) fn takes_form(info: &OperationInfo) -> bool {
    info.host == dingtalk_openapi_runtime::operation::Host::Oapi
        && info.method == OpMethod::Post
        && info.path.starts_with("/topapi/")
}

/// Whether the operation reads a body: any but GET does; a GET only when it declares body
/// parameters.
fn reads_body(info: &OperationInfo) -> bool {
    info.method != OpMethod::Get
        || info
            .params
            .iter()
            .any(|p| matches!(p.location, Location::Body | Location::WholeBody))
}

/// "The request" as the body gives it, and the names whose values arrived as text: the JSON
/// object (`{}` when there is no body), the whole body under its parameter's name, or the
/// fields of a form (a topapi operation only; the credential fields are not part of it). Any
/// other body is refused for its content type.
fn body_params(info: &OperationInfo, request: &Incoming) -> Result<Rebuilt, Failure> {
    if request.body.is_empty() || !reads_body(info) {
        return Ok((Map::new(), Vec::new()));
    }
    if takes_form(info) && request.is_form() {
        let credentials = auth::credential_names(info.auth);
        let mut params = Map::new();
        let mut coercible = Vec::new();
        for (name, value) in request.form() {
            if credentials.contains(&name.as_str()) || params.contains_key(&name) {
                continue;
            }
            coercible.push(name.clone());
            params.insert(name, Value::String(value));
        }
        return Ok((params, coercible));
    }
    if !request.is_json() {
        return Err(Failure::content_type());
    }
    let body = serde_json::from_slice::<Value>(&request.body)
        .map_err(|e| Failure::invalid("", &format!("the body is not JSON: {e}")))?;
    let whole = info
        .params
        .iter()
        .find(|p| p.location == Location::WholeBody);
    match (whole, body) {
        (Some(whole), body) => Ok((Map::from_iter([(whole.name.to_owned(), body)]), Vec::new())),
        (None, Value::Object(map)) => Ok((map, Vec::new())),
        (None, _) => Err(Failure::invalid("", "the body is not a JSON object")),
    }
}

/// Reads back the body keys (or form fields) written as JSON text ([`Encode::Json`]): each must
/// be a string holding JSON.
fn decode_body_json(
    info: &OperationInfo,
    params: &mut Map<String, Value>,
    coercible: &mut Vec<String>,
) -> Result<(), Failure> {
    for param in info.params.iter().filter(|p| {
        p.encode == Encode::Json && matches!(p.location, Location::Body | Location::Form)
    }) {
        let Some(value) = params.get_mut(param.name) else {
            continue;
        };
        let Value::String(text) = value else {
            return Err(Failure::invalid(
                param.name,
                "must be a string holding JSON text",
            ));
        };
        *value = json_text(param.name, text)?;
        coercible.retain(|c| c != param.name);
    }
    Ok(())
}

/// Adds the query parameters (all but the credential) that the body or the path did not give.
fn query_params(
    info: &OperationInfo,
    request: &Incoming,
    params: &mut Map<String, Value>,
    coercible: &mut Vec<String>,
) -> Result<(), Failure> {
    let credentials = auth::credential_names(info.auth);
    let mut lists: Vec<(&Param, Vec<(&str, &str)>)> = Vec::new();
    for (name, value) in &request.query {
        if credentials.contains(&name.as_str()) {
            continue;
        }
        if let Some((param, rest)) = repeated(info, name) {
            match lists.iter_mut().find(|(p, _)| p.name == param.name) {
                Some((_, items)) => items.push((rest, value)),
                None => lists.push((param, vec![(rest, value)])),
            }
            continue;
        }
        if params.contains_key(name) {
            continue;
        }
        match info.params.iter().find(|p| p.name == name) {
            Some(param) => put_text(param, value, params, coercible)?,
            None => {
                params.insert(name.clone(), Value::String(value.clone()));
                coercible.push(name.clone());
            }
        }
    }
    for (param, items) in lists {
        if params.contains_key(param.name) {
            continue;
        }
        let mut tree = Node::Branch(Vec::new());
        for (rest, value) in items {
            tree.insert(param.name, rest, value)?;
        }
        let value = tree.into_value(param.name, param.name, coercible)?;
        params.insert(param.name.to_owned(), value);
    }
    Ok(())
}

/// The repeat-encoded parameter a query key `name.1.key` belongs to, and the rest of the key
/// (`1.key`).
fn repeated<'i, 'k>(info: &'i OperationInfo, key: &'k str) -> Option<(&'i Param, &'k str)> {
    let (name, rest) = key.split_once('.')?;
    let param = info
        .params
        .iter()
        .find(|p| p.encode == Encode::Repeat && p.name == name)?;
    Some((param, rest))
}

/// Puts a value that arrived as text (a query value, a header): JSON text read back for
/// [`Encode::Json`], otherwise the text, which the typed check may read as a number or boolean.
fn put_text(
    param: &Param,
    text: &str,
    params: &mut Map<String, Value>,
    coercible: &mut Vec<String>,
) -> Result<(), Failure> {
    let value = if param.encode == Encode::Json {
        json_text(param.name, text)?
    } else {
        coercible.push(param.name.to_owned());
        Value::String(text.to_owned())
    };
    params.insert(param.name.to_owned(), value);
    Ok(())
}

/// The JSON that `text`, the value of `field`, spells.
fn json_text(field: &str, text: &str) -> Result<Value, Failure> {
    serde_json::from_str(text)
        .map_err(|e| Failure::invalid(field, &format!("is not JSON text: {e}")))
}

/// The numbered query keys of one repeat-encoded parameter, as a tree.
enum Node {
    Leaf(String),
    /// Keys (`1`, `key`) in the order they first came.
    Branch(Vec<(String, Node)>),
}

impl Node {
    /// Adds the value of the key `name.rest` (`rest` is `1.key`).
    fn insert(&mut self, name: &str, rest: &str, value: &str) -> Result<(), Failure> {
        let conflict = || Failure::invalid(&format!("{name}.{rest}"), "is sent twice");
        let mut node = self;
        let mut keys = rest.split('.').peekable();
        while let Some(key) = keys.next() {
            let Node::Branch(children) = node else {
                return Err(conflict());
            };
            let at = match children.iter().position(|(k, _)| k == key) {
                Some(at) => at,
                None => {
                    let child = if keys.peek().is_some() {
                        Node::Branch(Vec::new())
                    } else {
                        Node::Leaf(value.to_owned())
                    };
                    children.push((key.to_owned(), child));
                    if keys.peek().is_none() {
                        return Ok(());
                    }
                    children.len() - 1
                }
            };
            node = match children.get_mut(at) {
                Some((_, child)) => child,
                None => return Err(conflict()),
            };
        }
        // The whole key was there already.
        Err(conflict())
    }

    /// The value the tree spells: a branch keyed by numbers is a list (numbered `1..=n`, else
    /// refused), any other an object, a leaf the text. `key` is the tree's query key (`name.1`),
    /// `path` its wire path (`name[0]`), where each leaf's path goes into `coercible`.
    fn into_value(
        self,
        key: &str,
        path: &str,
        coercible: &mut Vec<String>,
    ) -> Result<Value, Failure> {
        let children = match self {
            Node::Leaf(text) => {
                coercible.push(path.to_owned());
                return Ok(Value::String(text));
            }
            Node::Branch(children) => children,
        };
        let numbered: Option<Vec<usize>> = children.iter().map(|(k, _)| number(k)).collect();
        let Some(numbers) = numbered else {
            let mut object = Map::new();
            for (k, child) in children {
                let value =
                    child.into_value(&format!("{key}.{k}"), &format!("{path}.{k}"), coercible)?;
                object.insert(k, value);
            }
            return Ok(Value::Object(object));
        };
        let mut items: Vec<(usize, Node)> = numbers
            .into_iter()
            .zip(children)
            .map(|(n, (_, c))| (n, c))
            .collect();
        items.sort_by_key(|(n, _)| *n);
        let mut list = Vec::with_capacity(items.len());
        for (expected, (n, child)) in (1..).zip(items) {
            if n != expected {
                return Err(Failure::invalid(
                    &format!("{key}.{expected}"),
                    "missing: a list's items are numbered from 1 without gaps",
                ));
            }
            let index = n - 1;
            list.push(child.into_value(
                &format!("{key}.{n}"),
                &format!("{path}[{index}]"),
                coercible,
            )?);
        }
        Ok(Value::Array(list))
    }
}

/// An item number: a key of decimal digits (`0` is one, refused as out of line).
fn number(key: &str) -> Option<usize> {
    if !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list the numbered keys `pairs` (after `name.`) spell, and the coercible wire paths.
    fn list(pairs: &[(&str, &str)]) -> Result<(Value, Vec<String>), String> {
        let mut tree = Node::Branch(Vec::new());
        let mut coercible = Vec::new();
        for (rest, value) in pairs {
            tree.insert("n", rest, value)
                .map_err(|f| format!("{f:?}"))?;
        }
        let value = tree
            .into_value("n", "n", &mut coercible)
            .map_err(|f| format!("{f:?}"))?;
        Ok((value, coercible))
    }

    #[test]
    fn numbered_keys_nest_and_name_their_leaves() {
        let (value, coercible) =
            list(&[("2.a.1", "z"), ("1.a.1", "x"), ("1.a.2", "y"), ("1.b", "w")]).unwrap();
        assert_eq!(
            value,
            serde_json::json!([{"a": ["x", "y"], "b": "w"}, {"a": ["z"]}])
        );
        assert_eq!(coercible, ["n[0].a[0]", "n[0].a[1]", "n[0].b", "n[1].a[0]"]);
    }

    #[test]
    fn numbered_keys_sent_twice_or_out_of_line_are_refused() {
        for pairs in [
            &[("1", "a"), ("1", "b")][..],
            &[("1", "a"), ("1.x", "b")],
            &[("1.x", "a"), ("1", "b")],
            &[("1", "a"), ("3", "b")],
            &[("0", "a")],
        ] {
            assert!(list(pairs).is_err(), "{pairs:?}");
        }
        // Not numbers: the keys spell an object, which the typed check refuses for a list.
        assert_eq!(
            list(&[("a", "x")]).unwrap().0,
            serde_json::json!({"a": "x"})
        );
    }
}
