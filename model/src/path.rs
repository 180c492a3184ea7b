//! An operation's path as a template: `/`-separated segments, each either literal text or one
//! `{name}` filled with the value of the path parameter `name`.
//!
//! The generator checks templates with it, the runtime fills them, and the fake routes requests
//! by them, so the three read a path the same way. A template is usually a whole segment
//! (`/v1.0/contact/users/{userId}`); two imported operations have literal text after one in the
//! same segment (`/users/workNumber/{workNumbers}employmentRecords`), which is sent as written.

use std::fmt;

/// One `/`-separated segment of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathSegment<'a> {
    /// Text sent as written.
    Literal(&'a str),
    /// `prefix{name}suffix`: the value of the path parameter `name`, between literal text
    /// (usually empty) kept as written.
    Template {
        /// The literal text before the `{`.
        prefix: &'a str,
        /// The path parameter's wire name: ASCII letters, digits and `_`, not empty.
        name: &'a str,
        /// The literal text after the `}`.
        suffix: &'a str,
    },
}

/// A path segment that is not literal text or one well-formed `{name}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathTemplateError<'a> {
    /// The segment as written.
    pub segment: &'a str,
}

impl fmt::Display for PathTemplateError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "path segment `{}` must be literal text or hold one `{{name}}` (a name of letters, \
             digits and `_`)",
            self.segment
        )
    }
}

impl std::error::Error for PathTemplateError<'_> {}

impl<'a> PathSegment<'a> {
    /// Reads one segment (no `/` in it).
    pub fn parse(segment: &'a str) -> Result<Self, PathTemplateError<'a>> {
        let bad = PathTemplateError { segment };
        let Some((prefix, rest)) = segment.split_once('{') else {
            return if segment.contains('}') {
                Err(bad)
            } else {
                Ok(PathSegment::Literal(segment))
            };
        };
        let (name, suffix) = rest.split_once('}').ok_or(bad)?;
        let name_ok =
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !name_ok || prefix.contains('}') || suffix.contains(['{', '}']) {
            return Err(bad);
        }
        Ok(PathSegment::Template {
            prefix,
            name,
            suffix,
        })
    }

    /// The path parameter this segment holds, if any.
    pub fn param(&self) -> Option<&'a str> {
        match *self {
            PathSegment::Literal(_) => None,
            PathSegment::Template { name, .. } => Some(name),
        }
    }
}

/// The segments of `path` after its leading `/` (a path without one is read whole).
pub fn path_segments(
    path: &str,
) -> impl Iterator<Item = Result<PathSegment<'_>, PathTemplateError<'_>>> {
    path.strip_prefix('/')
        .unwrap_or(path)
        .split('/')
        .map(PathSegment::parse)
}

/// The names of the path parameters of `path`, in order; the first malformed segment is the
/// error.
pub fn path_params(path: &str) -> Result<Vec<&str>, PathTemplateError<'_>> {
    path_segments(path)
        .filter_map(|s| s.map(|s| s.param()).transpose())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_literal_or_one_template() {
        assert_eq!(
            PathSegment::parse("users"),
            Ok(PathSegment::Literal("users"))
        );
        assert_eq!(
            PathSegment::parse("{userId}"),
            Ok(PathSegment::Template {
                prefix: "",
                name: "userId",
                suffix: ""
            })
        );
        assert_eq!(
            PathSegment::parse("{workNumbers}employmentRecords"),
            Ok(PathSegment::Template {
                prefix: "",
                name: "workNumbers",
                suffix: "employmentRecords"
            })
        );
        for bad in ["{a}{b}", "{}", "{a-b}", "a}", "{a", "}{a}", "{a}}"] {
            assert_eq!(
                PathSegment::parse(bad),
                Err(PathTemplateError { segment: bad }),
                "{bad}"
            );
        }
    }

    #[test]
    fn params_in_order() {
        assert_eq!(
            path_params("/v1.0/contact/users/{userId}/roles/{roleId}"),
            Ok(vec!["userId", "roleId"])
        );
        assert_eq!(path_params("/topapi/user/get"), Ok(vec![]));
        assert_eq!(
            path_params("/v1.0/x/{a}{b}/{c}").unwrap_err().to_string(),
            "path segment `{a}{b}` must be literal text or hold one `{name}` (a name of letters, \
             digits and `_`)"
        );
        assert_eq!(
            path_segments("/a/{b}").collect::<Vec<_>>(),
            vec![
                Ok(PathSegment::Literal("a")),
                Ok(PathSegment::Template {
                    prefix: "",
                    name: "b",
                    suffix: ""
                })
            ]
        );
    }
}
