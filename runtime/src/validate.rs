//! Client-side checks of the documented limits, run before a request is sent.
//!
//! Generated `validate()` methods call the functions here with a [`FieldPath`] that names the
//! field as the wire does (`query_request.page_size`, `contents[3].content`); the path is only
//! turned into a string when a check fails.

use std::fmt;

use crate::primitives::{DateTime, EpochMillis};

/// A request broke a documented limit; nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationError {
    /// The operation id.
    pub operation: &'static str,
    /// The field path by wire names.
    pub field: String,
    /// What is wrong, naming the limit.
    pub problem: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: the request {}", self.operation, self.problem)
        } else {
            write!(f, "{}: `{}` {}", self.operation, self.field, self.problem)
        }
    }
}

impl std::error::Error for ValidationError {}

/// Where a field sits inside a request; built on the stack, formatted only on failure.
#[derive(Clone, Copy)]
pub struct FieldPath<'a> {
    operation: &'static str,
    parent: Option<&'a FieldPath<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    Root,
    Field(&'a str),
    Index(usize),
}

impl<'a> FieldPath<'a> {
    /// The request itself.
    pub const fn root(operation: &'static str) -> FieldPath<'static> {
        FieldPath {
            operation,
            parent: None,
            segment: Segment::Root,
        }
    }

    /// A field of this object.
    pub fn field(&'a self, name: &'a str) -> FieldPath<'a> {
        FieldPath {
            operation: self.operation,
            parent: Some(self),
            segment: Segment::Field(name),
        }
    }

    /// An item of this list.
    pub fn index(&'a self, i: usize) -> FieldPath<'a> {
        FieldPath {
            operation: self.operation,
            parent: Some(self),
            segment: Segment::Index(i),
        }
    }

    /// The operation id.
    pub const fn operation(&self) -> &'static str {
        self.operation
    }

    /// A failure at this path.
    pub fn error(&self, problem: impl Into<String>) -> ValidationError {
        ValidationError {
            operation: self.operation,
            field: self.to_string(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for FieldPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            fmt::Display::fmt(parent, f)?;
        }
        match self.segment {
            Segment::Root => Ok(()),
            Segment::Field(name)
                if matches!(self.parent.map(|p| p.segment), Some(Segment::Root) | None) =>
            {
                f.write_str(name)
            }
            Segment::Field(name) => write!(f, ".{name}"),
            Segment::Index(i) => write!(f, "[{i}]"),
        }
    }
}

impl fmt::Debug for FieldPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FieldPath({}: {self})", self.operation)
    }
}

/// A nested object with limits somewhere inside; generated for such types.
pub trait Validate {
    /// Checks this object, found at `path`.
    fn validate_at(&self, path: &FieldPath<'_>) -> Result<(), ValidationError>;
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_at(&self, path: &FieldPath<'_>) -> Result<(), ValidationError> {
        for (i, item) in self.iter().enumerate() {
            item.validate_at(&path.index(i))?;
        }
        Ok(())
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate_at(&self, path: &FieldPath<'_>) -> Result<(), ValidationError> {
        match self {
            Some(v) => v.validate_at(path),
            None => Ok(()),
        }
    }
}

/// At most `max` items.
pub fn max_items(path: &FieldPath<'_>, len: usize, max: usize) -> Result<(), ValidationError> {
    if len > max {
        return Err(path.error(format!("has {len} items, more than the limit of {max}")));
    }
    Ok(())
}

/// At least `min` items.
pub fn min_items(path: &FieldPath<'_>, len: usize, min: usize) -> Result<(), ValidationError> {
    if len < min {
        return Err(path.error(format!("has {len} items, fewer than the minimum of {min}")));
    }
    Ok(())
}

/// Within `min..=max` (either bound optional).
pub fn range<T: PartialOrd + fmt::Display + Copy>(
    path: &FieldPath<'_>,
    value: T,
    min: Option<T>,
    max: Option<T>,
) -> Result<(), ValidationError> {
    if let Some(min) = min
        && value < min
    {
        return Err(path.error(format!("is {value}, below the minimum of {min}")));
    }
    if let Some(max) = max
        && value > max
    {
        return Err(path.error(format!("is {value}, above the maximum of {max}")));
    }
    Ok(())
}

/// At most `max` characters.
pub fn max_len(path: &FieldPath<'_>, value: &str, max: usize) -> Result<(), ValidationError> {
    let len = value.chars().count();
    if len > max {
        return Err(path.error(format!(
            "has {len} characters, more than the limit of {max}"
        )));
    }
    Ok(())
}

/// At most `max` bytes (a file part).
pub fn max_bytes(path: &FieldPath<'_>, len: u64, max: u64) -> Result<(), ValidationError> {
    if len > max {
        return Err(path.error(format!(
            "is {len} bytes, more than the limit of {max} bytes"
        )));
    }
    Ok(())
}

/// At least `min` characters.
pub fn min_len(path: &FieldPath<'_>, value: &str, min: usize) -> Result<(), ValidationError> {
    let len = value.chars().count();
    if len < min {
        return Err(path.error(format!(
            "has {len} characters, fewer than the minimum of {min}"
        )));
    }
    Ok(())
}

/// A `yyyy-MM-dd HH:mm:ss` time.
pub fn datetime(path: &FieldPath<'_>, value: &DateTime) -> Result<(), ValidationError> {
    if !value.is_well_formed() {
        return Err(path.error(format!(
            "is `{value}`, not of the form {}",
            DateTime::FORMAT
        )));
    }
    Ok(())
}

/// Something a time window can be measured on.
pub trait WindowEnd {
    /// Milliseconds since the Unix epoch, when known.
    fn window_millis(&self) -> Option<i64>;
}

impl WindowEnd for EpochMillis {
    fn window_millis(&self) -> Option<i64> {
        Some(self.as_millis())
    }
}

impl WindowEnd for DateTime {
    fn window_millis(&self) -> Option<i64> {
        self.unix_seconds().map(|s| s * 1000)
    }
}

/// `end` at or after `start`, and at most `max_days` after it; skipped when either end is unset
/// (or a time that cannot be read).
pub fn window<T: WindowEnd>(
    path: &FieldPath<'_>,
    (start_name, start): (&str, Option<&T>),
    (end_name, end): (&str, Option<&T>),
    max_days: u32,
) -> Result<(), ValidationError> {
    let (Some(start), Some(end)) = (
        start.and_then(T::window_millis),
        end.and_then(T::window_millis),
    ) else {
        return Ok(());
    };
    let span = end.saturating_sub(start);
    if span < 0 {
        return Err(path.field(end_name).error(format!(
            "is before `{start_name}`: a time window must end at or after its start"
        )));
    }
    if span > i64::from(max_days) * 86_400_000 {
        let days = span as f64 / 86_400_000.0;
        let end_path = path.field(end_name);
        return Err(end_path.error(format!(
            "is {days:.1} days after `{start_name}`, more than the limit of {max_days} day{}",
            if max_days == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

/// At least one of the groups of fields is fully set.
pub fn one_of_groups(
    path: &FieldPath<'_>,
    groups: &[&[(&str, bool)]],
) -> Result<(), ValidationError> {
    if groups.iter().any(|g| g.iter().all(|(_, set)| *set)) {
        return Ok(());
    }
    let names: Vec<String> = groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|(n, _)| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect();
    Err(path.error(format!("needs {}", names.join(", or "))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_format_as_wire_names() {
        let root = FieldPath::root("report.create");
        let p = root.field("create_report_param");
        let c = p.field("contents");
        let i = c.index(3);
        let f = i.field("content");
        assert_eq!(f.to_string(), "create_report_param.contents[3].content");
        let e = max_len(&f, &"x".repeat(1001), 1000).unwrap_err();
        assert_eq!(
            e.to_string(),
            "report.create: `create_report_param.contents[3].content` has 1001 characters, more than the limit of 1000"
        );
    }

    #[test]
    fn range_and_items() {
        let root = FieldPath::root("blackboard.listids");
        let qr = root.field("query_request");
        let ps = qr.field("page_size");
        assert!(range(&ps, 30, Some(1), Some(30)).is_ok());
        let e = range(&ps, 31, Some(1), Some(30)).unwrap_err();
        assert_eq!(e.field, "query_request.page_size");
        assert!(e.problem.contains("maximum of 30"));
        assert!(
            range(&ps, 0, Some(1), Some(30))
                .unwrap_err()
                .problem
                .contains("minimum of 1")
        );
        assert!(max_items(&root.field("x"), 21, 20).is_err());
        // Characters, not bytes: two Chinese characters are two.
        let name = root.field("name");
        assert!(min_len(&name, "部门", 2).is_ok());
        assert_eq!(
            min_len(&name, "部", 2).unwrap_err().to_string(),
            "blackboard.listids: `name` has 1 characters, fewer than the minimum of 2"
        );
        assert!(min_len(&name, "", 1).is_err());
        assert!(min_items(&root.field("x"), 0, 1).is_err());
    }

    #[test]
    fn windows() {
        let root = FieldPath::root("report.list");
        let day = 86_400_000;
        let s = EpochMillis(0);
        let ok = EpochMillis(180 * day);
        let bad = EpochMillis(180 * day + 1);
        assert!(
            window(
                &root,
                ("start_time", Some(&s)),
                ("end_time", Some(&ok)),
                180
            )
            .is_ok()
        );
        let e = window(
            &root,
            ("start_time", Some(&s)),
            ("end_time", Some(&bad)),
            180,
        )
        .unwrap_err();
        assert_eq!(e.field, "end_time");
        assert!(e.problem.contains("180 days"));
        assert!(
            window::<EpochMillis>(&root, ("start_time", None), ("end_time", Some(&bad)), 180)
                .is_ok()
        );
        let a = DateTime::parse("2019-01-01 00:00:00").unwrap();
        let b = DateTime::parse("2019-07-01 00:00:00").unwrap();
        assert!(window(&root, ("start_time", Some(&a)), ("end_time", Some(&b)), 180).is_err());
    }

    #[test]
    fn a_window_must_be_ordered() {
        let root = FieldPath::root("report.list");
        let param = root.field("param");
        let start = EpochMillis(1_700_000_000_000);
        let before = EpochMillis(start.as_millis() - 1);
        let e = window(
            &param,
            ("start_time", Some(&start)),
            ("end_time", Some(&before)),
            180,
        )
        .unwrap_err();
        assert_eq!(e.field, "param.end_time");
        assert_eq!(
            e.to_string(),
            "report.list: `param.end_time` is before `start_time`: a time window must end at or \
             after its start"
        );
        // An empty window (end = start) is a window.
        assert!(
            window(
                &param,
                ("start_time", Some(&start)),
                ("end_time", Some(&start)),
                1
            )
            .is_ok()
        );
        // Times of the `yyyy-MM-dd HH:mm:ss` form, a day apart the wrong way round.
        let a = DateTime::parse("2019-01-02 00:00:00").unwrap();
        let b = DateTime::parse("2019-01-01 00:00:00").unwrap();
        let e = window(&root, ("startTime", Some(&a)), ("endTime", Some(&b)), 7).unwrap_err();
        assert_eq!(e.field, "endTime");
        assert!(e.problem.contains("`startTime`"), "{e}");
    }

    #[test]
    fn one_of() {
        let root = FieldPath::root("gettoken");
        assert!(
            one_of_groups(
                &root,
                &[
                    &[("appkey", true), ("appsecret", true)],
                    &[("corpid", false)]
                ]
            )
            .is_ok()
        );
        let e = one_of_groups(
            &root,
            &[
                &[("appkey", true), ("appsecret", false)],
                &[("corpid", false), ("corpsecret", false)],
            ],
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "gettoken: the request needs `appkey` and `appsecret`, or `corpid` and `corpsecret`"
        );
    }
}
