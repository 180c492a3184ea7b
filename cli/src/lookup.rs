//! Which operation a name on the command line means: an operation id (`contact.GetUser`), a
//! DingTalk action name (`GetUser`, which several areas may share) or a full action
//! (`contact_1.0/GetUser`). `describe` and `call` both resolve their OPERATION here.
//!
//! The matching is a function over a slice of operations, so it is tested with hand-built
//! operations, independently of what the generated client contains.

use std::fmt::Write;

use crate::{CallError, suggest};
use dingtalk_openapi::operation::OperationInfo;

/// At most this many "did you mean" names for an unknown operation.
const MAX_SUGGESTIONS: usize = 5;

/// What a name on the command line resolves to.
#[derive(Debug)]
pub(crate) enum Lookup<'a> {
    /// Exactly one operation.
    One(&'a OperationInfo),
    /// Several operations share the action name (in catalog order).
    Many(Vec<&'a OperationInfo>),
    /// No operation.
    None,
}

/// Resolves `name` against `ops`: an operation id first, then an action ([`by_action`]).
pub(crate) fn lookup<'a>(ops: &[&'a OperationInfo], name: &str) -> Lookup<'a> {
    if let Some(op) = ops.iter().find(|op| op.id == name) {
        return Lookup::One(op);
    }
    let matches = by_action(ops, name);
    match matches.len() {
        0 => Lookup::None,
        1 => Lookup::One(matches[0]),
        _ => Lookup::Many(matches),
    }
}

/// The operations whose action is `name`: the full action (`contact_1.0/GetUser`) when `name`
/// has a `/`, otherwise the action name alone (`GetUser`); compared case-sensitively first and,
/// only when nothing matches so, ignoring ASCII case. Operations without an action never match.
pub(crate) fn by_action<'a>(ops: &[&'a OperationInfo], name: &str) -> Vec<&'a OperationInfo> {
    if name.is_empty() {
        return Vec::new();
    }
    let action = |op: &OperationInfo| {
        if name.contains('/') {
            op.action
        } else {
            op.action_name()
        }
    };
    let exact: Vec<&'a OperationInfo> = ops
        .iter()
        .copied()
        .filter(|op| action(op) == name)
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    ops.iter()
        .copied()
        .filter(|op| action(op).eq_ignore_ascii_case(name))
        .collect()
}

/// The one operation `name` means, or the error to print: the ids to choose from, followed by
/// one line per match (several), or the nearest names (none).
pub(crate) fn find<'a>(
    ops: &[&'a OperationInfo],
    name: &str,
) -> Result<&'a OperationInfo, CallError> {
    match lookup(ops, name) {
        Lookup::One(op) => Ok(op),
        Lookup::Many(matches) => Err(CallError::usage(ambiguous(name, &matches))),
        Lookup::None => Err(CallError::usage(unknown(ops, name))),
    }
}

/// `` `GetUser` is the action of 2 operations; pass one of their ids: `a.GetUser`, `b.GetUser` ``
/// and a table of the matches (id, method, path, title, action).
fn ambiguous(name: &str, matches: &[&OperationInfo]) -> String {
    let ids: Vec<String> = matches.iter().map(|op| format!("`{}`", op.id)).collect();
    let mut text = format!(
        "`{name}` is the action of {} operations; pass one of their ids: {}",
        matches.len(),
        ids.join(", ")
    );
    let width = |f: fn(&OperationInfo) -> usize| matches.iter().map(|op| f(op)).max().unwrap_or(0);
    let id_width = width(|op| op.id.len());
    let path_width = width(|op| op.path.len());
    let title_width = width(|op| op.title.chars().count());
    for op in matches {
        // `{:w$}` pads by chars; titles are Chinese, so align on chars (the terminal may not).
        let title_pad = title_width - op.title.chars().count();
        let line = format!(
            "  {:id_width$}  {:6}  {:path_width$}  {}{}  {}",
            op.id,
            op.method.as_str(),
            op.path,
            op.title,
            " ".repeat(title_pad),
            op.action
        );
        let _ = write!(text, "\n{}", line.trim_end());
    }
    text
}

/// The unknown-operation message, with up to [`MAX_SUGGESTIONS`] near ids or action names.
fn unknown(ops: &[&OperationInfo], name: &str) -> String {
    let mut candidates: Vec<&str> = ops.iter().map(|op| op.id).collect();
    let mut actions: Vec<&str> = ops
        .iter()
        .map(|op| op.action_name())
        .filter(|a| !a.is_empty())
        .collect();
    actions.sort_unstable();
    actions.dedup();
    candidates.extend(actions);
    let near = suggest::operations(name, candidates, MAX_SUGGESTIONS);
    match near.as_slice() {
        [] => format!("unknown operation `{name}`; `dingtalk list` shows every operation"),
        [one] => format!("unknown operation `{name}`; did you mean `{one}`?"),
        [first @ .., last] => {
            let first: Vec<String> = first.iter().map(|n| format!("`{n}`")).collect();
            format!(
                "unknown operation `{name}`; did you mean {} or `{last}`?",
                first.join(", ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dingtalk_openapi::operation::{Auth, Envelope, Host, Method};

    /// An imported-looking operation with an action.
    fn op(id: &'static str, action: &'static str, title: &'static str) -> &'static OperationInfo {
        let area = id.split('.').next().unwrap_or_default();
        let info = OperationInfo::new(id, Method::Get, Host::Api, "/v1.0/x/{id}")
            .with_auth(Auth::HeaderToken)
            .with_envelope(Envelope::Bare)
            .with_title(title)
            .with_action(area, action);
        Box::leak(Box::new(info))
    }

    fn catalog() -> Vec<&'static OperationInfo> {
        vec![
            op("contact.GetUser", "contact_1.0/GetUser", "获取用户"),
            op("hrm.GetUser", "hrm_1.0/GetUser", "查询员工"),
            op("contact.ListDepts", "contact_1.0/ListDepts", "部门"),
            op("storage.getUser", "storage_2.0/getUser", "存储用户"),
            op("oa.Approve", "oa_1.0/Approve", "审批"),
            op("gettoken", "", "获取凭证"),
        ]
    }

    fn ids(found: Lookup<'_>) -> Vec<&'static str> {
        match found {
            Lookup::One(op) => vec![op.id],
            Lookup::Many(ops) => ops.iter().map(|op| op.id).collect(),
            Lookup::None => vec![],
        }
    }

    #[test]
    fn ids_come_first() {
        let ops = catalog();
        assert_eq!(ids(lookup(&ops, "contact.GetUser")), ["contact.GetUser"]);
        assert_eq!(ids(lookup(&ops, "gettoken")), ["gettoken"]);
        assert!(
            matches!(lookup(&ops, ""), Lookup::None),
            "curated ops have no action"
        );
    }

    #[test]
    fn a_unique_action_name_is_its_operation() {
        let ops = catalog();
        assert_eq!(ids(lookup(&ops, "ListDepts")), ["contact.ListDepts"]);
        assert_eq!(ids(lookup(&ops, "Approve")), ["oa.Approve"]);
    }

    #[test]
    fn a_shared_action_name_is_ambiguous() {
        let ops = catalog();
        // Case-sensitive matches win: `storage.getUser` is not among them.
        assert_eq!(
            ids(lookup(&ops, "GetUser")),
            ["contact.GetUser", "hrm.GetUser"]
        );
        let message = find(&ops, "GetUser").unwrap_err();
        assert!(!message.attempted());
        let lines: Vec<&str> = message.message().lines().collect();
        assert_eq!(
            lines[0],
            "`GetUser` is the action of 2 operations; pass one of their ids: `contact.GetUser`, `hrm.GetUser`"
        );
        assert_eq!(
            lines[1],
            "  contact.GetUser  GET     /v1.0/x/{id}  获取用户  contact_1.0/GetUser"
        );
        assert_eq!(
            lines[2],
            "  hrm.GetUser      GET     /v1.0/x/{id}  查询员工  hrm_1.0/GetUser"
        );
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn case_is_ignored_only_when_nothing_matches_exactly() {
        let ops = catalog();
        assert_eq!(ids(lookup(&ops, "getUser")), ["storage.getUser"]);
        assert_eq!(ids(lookup(&ops, "listdepts")), ["contact.ListDepts"]);
        assert_eq!(
            ids(lookup(&ops, "GETUSER")),
            ["contact.GetUser", "hrm.GetUser", "storage.getUser"]
        );
    }

    #[test]
    fn the_full_action_names_one_operation() {
        let ops = catalog();
        assert_eq!(ids(lookup(&ops, "hrm_1.0/GetUser")), ["hrm.GetUser"]);
        assert_eq!(ids(lookup(&ops, "HRM_1.0/getuser")), ["hrm.GetUser"]);
        assert!(matches!(lookup(&ops, "hrm_2.0/GetUser"), Lookup::None));
        // A full action never matches by its name alone, nor a name by a full action.
        assert!(matches!(lookup(&ops, "x/ListDepts"), Lookup::None));
        assert!(matches!(lookup(&ops, "contact_1.0"), Lookup::None));
    }

    #[test]
    fn unknown_names_get_near_ids_and_actions() {
        let ops = catalog();
        let message = |name| find(&ops, name).unwrap_err().message().to_owned();
        assert_eq!(
            message("ListDept"),
            "unknown operation `ListDept`; did you mean `ListDepts`?"
        );
        assert_eq!(
            message("gettokn"),
            "unknown operation `gettokn`; did you mean `gettoken`?"
        );
        assert_eq!(
            message("nothing.like.it"),
            "unknown operation `nothing.like.it`; `dingtalk list` shows every operation"
        );
        assert!(
            message("GetUsr").starts_with("unknown operation `GetUsr`; did you mean `GetUser`"),
            "{}",
            message("GetUsr")
        );
    }
}
