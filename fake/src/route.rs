//! Which operation a request is for, by its path and method.
//!
//! An operation's path is literal (`/topapi/blackboard/create`) or a template with `{name}`
//! segments (`/v1.0/contact/users/{userId}`). A request path matches a template with as many
//! segments whose literal segments are equal and whose `{name}` segments are not empty. Several
//! operations may match one path (GET, PUT and DELETE on one template; `/users/me` beside
//! `/users/{userId}`): the one with the request's method wins, then the one with the most
//! literal segments, then the one whose first literal segment comes earliest, then the first
//! served. When none has the method, the best of the others is the route (its method check then
//! answers the wrong-method failure).
//!
//! The index is built once, when the server starts: literal paths in a map, templates in
//! buckets by segment count and their first two segments (or by segment count alone when one of
//! those is a `{name}`), so a request looks at a handful of templates whatever the number of
//! operations.

use std::cmp::Ordering;
use std::collections::HashMap;

use axum::http::Method;

use dingtalk_openapi_runtime::operation::PathSegment;

use crate::check::MockOperation;
use crate::dispatch::method;

/// The operations of one fake, indexed by path.
#[derive(Debug, Default)]
pub(crate) struct Routes {
    /// The operations of each literal path (no `{name}` segment), in the order served.
    literal: HashMap<&'static str, Vec<usize>>,
    /// The templates of each bucket, in the order served.
    templates: HashMap<Bucket<'static>, Vec<Template>>,
}

/// Where a template is filed: its segment count and, when both are literal, its first two
/// segments (`v1.0` and the area, for the v1.0 host).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Bucket<'a> {
    segments: usize,
    head: Option<(&'a str, &'a str)>,
}

/// One path template, split into segments.
#[derive(Debug)]
struct Template {
    /// The operation's index in the served list.
    index: usize,
    segments: Vec<PathSegment<'static>>,
}

/// The operation a request is for, with the raw (still percent-encoded) values of its path
/// parameters by wire name.
#[derive(Debug)]
pub(crate) struct Routed<'a> {
    pub(crate) op: &'a MockOperation,
    pub(crate) path_params: Vec<(&'static str, String)>,
}

/// A matching operation, as the choice between candidates weighs it.
struct Candidate<'p> {
    index: usize,
    has_method: bool,
    /// Which segments are literal, left to right (all of them for a literal path).
    literal: Vec<bool>,
    /// The template, to read the parameters from (none for a literal path).
    template: Option<&'p Template>,
}

impl Candidate<'_> {
    /// Whether `self` is a better route than `other` (ties keep the one served first).
    fn beats(&self, other: &Candidate<'_>) -> bool {
        let literals = |c: &Candidate<'_>| c.literal.iter().filter(|l| **l).count();
        let order = self
            .has_method
            .cmp(&other.has_method)
            .then(literals(self).cmp(&literals(other)))
            .then(self.literal.cmp(&other.literal))
            .then(other.index.cmp(&self.index));
        order == Ordering::Greater
    }
}

impl Routes {
    /// The index of `operations`.
    pub(crate) fn new(operations: &[MockOperation]) -> Routes {
        let mut routes = Routes::default();
        for (index, op) in operations.iter().enumerate() {
            let path = op.info().path;
            // A malformed template (the generator lets none through) is matched as literal text.
            let segments: Vec<PathSegment<'static>> = split(path)
                .map(|text| PathSegment::parse(text).unwrap_or(PathSegment::Literal(text)))
                .collect();
            if segments
                .iter()
                .all(|s| matches!(s, PathSegment::Literal(_)))
            {
                routes.literal.entry(path).or_default().push(index);
                continue;
            }
            let bucket = Bucket {
                segments: segments.len(),
                head: match segments.as_slice() {
                    [PathSegment::Literal(a), PathSegment::Literal(b), ..] => Some((*a, *b)),
                    _ => None,
                },
            };
            routes
                .templates
                .entry(bucket)
                .or_default()
                .push(Template { index, segments });
        }
        routes
    }

    /// The operation of `operations` (the list the index was built from) that serves `method`
    /// on `path`, or the best one at `path` when none has the method; `None` when no operation
    /// is at `path`.
    pub(crate) fn find<'a>(
        &self,
        operations: &'a [MockOperation],
        request_method: &Method,
        path: &str,
    ) -> Option<Routed<'a>> {
        let has_method = |index: usize| {
            operations
                .get(index)
                .is_some_and(|op| method(op.info().method) == *request_method)
        };
        let parts: Vec<&str> = split(path).collect();
        let mut best: Option<Candidate<'_>> = None;
        for &index in self.literal.get(path).into_iter().flatten() {
            consider(
                &mut best,
                Candidate {
                    index,
                    has_method: has_method(index),
                    literal: vec![true; parts.len()],
                    template: None,
                },
            );
        }
        let head = match parts.as_slice() {
            [a, b, ..] => Some((*a, *b)),
            _ => None,
        };
        // Shorten the keys' lifetime (the map is covariant in them) to look up the request's text.
        let templates: &HashMap<Bucket<'_>, Vec<Template>> = &self.templates;
        let filed = head.map(|head| Bucket {
            segments: parts.len(),
            head: Some(head),
        });
        let wild = Bucket {
            segments: parts.len(),
            head: None,
        };
        let lists = [filed.and_then(|b| templates.get(&b)), templates.get(&wild)];
        for template in lists.into_iter().flatten().flatten() {
            if template.matches(&parts) {
                consider(
                    &mut best,
                    Candidate {
                        index: template.index,
                        has_method: has_method(template.index),
                        literal: template.literal(),
                        template: Some(template),
                    },
                );
            }
        }
        let best = best?;
        Some(Routed {
            op: operations.get(best.index)?,
            path_params: best.template.map(|t| t.params(&parts)).unwrap_or_default(),
        })
    }
}

impl Template {
    /// Whether the request's segments `parts` fit this template.
    fn matches(&self, parts: &[&str]) -> bool {
        self.segments.len() == parts.len()
            && self.segments.iter().zip(parts).all(|(s, p)| match s {
                PathSegment::Literal(l) => l == p,
                PathSegment::Template { prefix, suffix, .. } => {
                    p.len() > prefix.len() + suffix.len()
                        && p.starts_with(prefix)
                        && p.ends_with(suffix)
                }
            })
    }

    /// Which segments are literal, left to right.
    fn literal(&self) -> Vec<bool> {
        self.segments
            .iter()
            .map(|s| matches!(s, PathSegment::Literal(_)))
            .collect()
    }

    /// The path parameters of a request whose segments `parts` fit this template, raw.
    fn params(&self, parts: &[&str]) -> Vec<(&'static str, String)> {
        self.segments
            .iter()
            .zip(parts)
            .filter_map(|(s, p)| match s {
                PathSegment::Template {
                    name,
                    prefix,
                    suffix,
                } => Some((*name, p[prefix.len()..p.len() - suffix.len()].to_owned())),
                PathSegment::Literal(_) => None,
            })
            .collect()
    }
}

/// Keeps `candidate` if it is the best so far.
fn consider<'p>(best: &mut Option<Candidate<'p>>, candidate: Candidate<'p>) {
    if best.as_ref().is_none_or(|b| candidate.beats(b)) {
        *best = Some(candidate);
    }
}

/// The segments of a path, without its leading `/`.
fn split(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

#[cfg(test)]
mod tests {
    use super::*;
    use dingtalk_openapi_runtime::operation::{Host, Method as OpMethod, OperationInfo};

    fn op(id: &'static str, method: OpMethod, path: &'static str) -> MockOperation {
        let info = OperationInfo::new(id, method, Host::Api, path);
        MockOperation::accepting(Box::leak(Box::new(info)))
    }

    fn routed(routes: &Routes, ops: &[MockOperation], method: Method, path: &str) -> String {
        match routes.find(ops, &method, path) {
            Some(r) => format!("{} {:?}", r.op.info().id, r.path_params),
            None => "none".to_owned(),
        }
    }

    #[test]
    fn every_generated_operation_routes_to_its_own_path() {
        let ops = crate::operations();
        let routes = Routes::new(&ops);
        for op in &ops {
            let info = op.info();
            let found = routes.find(&ops, &method(info.method), info.path);
            assert_eq!(
                found.map(|r| r.op.info().path),
                Some(info.path),
                "{}",
                info.id
            );
        }
    }

    #[test]
    fn a_template_with_literal_text_in_its_segment_matches_that_text_only() {
        let ops = vec![op(
            "chengfeng.records",
            OpMethod::Get,
            "/v1.0/chengfeng/users/workNumber/{workNumbers}employmentRecords",
        )];
        let routes = Routes::new(&ops);
        assert_eq!(
            routed(
                &routes,
                &ops,
                Method::GET,
                "/v1.0/chengfeng/users/workNumber/W1,W2employmentRecords"
            ),
            r#"chengfeng.records [("workNumbers", "W1,W2")]"#
        );
        for path in [
            "/v1.0/chengfeng/users/workNumber/employmentRecords",
            "/v1.0/chengfeng/users/workNumber/W1",
        ] {
            assert_eq!(routed(&routes, &ops, Method::GET, path), "none", "{path}");
        }
    }

    #[test]
    fn method_then_literal_segments_then_the_earliest_literal_win() {
        let mut ops = vec![
            op("a.xy", OpMethod::Get, "/v1.0/a/{x}/y"),
            op("a.yx", OpMethod::Get, "/v1.0/a/y/{x}"),
            op("a.get", OpMethod::Get, "/v1.0/a/{id}"),
            op("a.me", OpMethod::Get, "/v1.0/a/me"),
            op("a.put", OpMethod::Put, "/v1.0/a/{id}"),
            op("any", OpMethod::Get, "/{v}/{area}/{id}"),
        ];
        // Many other templates, to see that the buckets keep them apart.
        for n in 0..3_000 {
            let path: &'static str = Box::leak(format!("/v1.0/area{n}/{{id}}/x").into_boxed_str());
            ops.push(op("filler", OpMethod::Get, path));
        }
        let routes = Routes::new(&ops);
        let at = |method, path| routed(&routes, &ops, method, path);
        assert_eq!(at(Method::GET, "/v1.0/a/me"), "a.me []");
        assert_eq!(
            at(Method::GET, "/v1.0/a/u%201"),
            r#"a.get [("id", "u%201")]"#
        );
        assert_eq!(at(Method::PUT, "/v1.0/a/me"), r#"a.put [("id", "me")]"#);
        assert_eq!(at(Method::GET, "/v1.0/a/y/y"), r#"a.yx [("x", "y")]"#);
        assert_eq!(
            at(Method::GET, "/v1.0/b/c"),
            r#"any [("v", "v1.0"), ("area", "b"), ("id", "c")]"#
        );
        // No candidate has the method: the best of the others, for the method failure.
        assert_eq!(at(Method::DELETE, "/v1.0/a/me"), "a.me []");
        assert_eq!(
            at(Method::GET, "/v1.0/area7/k/x"),
            r#"filler [("id", "k")]"#
        );
        assert_eq!(at(Method::GET, "/v1.0/a/"), "none");
        assert_eq!(at(Method::GET, "/v1.0/a/b/c/d"), "none");
    }
}
