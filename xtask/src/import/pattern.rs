//! Source lines and statement patterns: the two tools of the strict readers of `client.py` and
//! `models.py`.
//!
//! A [`Line`] is one line of a file with its number and indentation. A pattern is the statement
//! as the SDK generator writes it, with holes: `$i` an identifier, `$s` the inside of a
//! single-quoted string (no quote, no backslash), `$t` a type annotation, `$*` anything. `$` never
//! occurs in the package's Python, so a pattern reads like the line it matches.
//! [`Problems`] gathers every located problem, so one run reports them all.

use std::fmt;

/// One source line: 1-based number, indentation (spaces) and the text after it, trailing
/// whitespace removed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    pub no: usize,
    pub indent: usize,
    pub text: &'a str,
}

/// The lines of a file, tabs refused (the SDK indents with spaces only).
pub(crate) fn lines(text: &str) -> Vec<Line<'_>> {
    text.lines()
        .enumerate()
        .map(|(i, raw)| {
            let raw = raw.trim_end();
            let body = raw.trim_start_matches(' ');
            Line {
                no: i + 1,
                indent: raw.len() - body.len(),
                text: body,
            }
        })
        .collect()
}

/// A problem at a line of a package file (or at line 0: the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Problem {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: error: {}", self.file, self.line, self.message)
    }
}

/// Every problem found in one file.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    file: String,
    pub items: Vec<Problem>,
}

impl Problems {
    /// Problems of `file`, as it is to be shown.
    pub(crate) fn new(file: &str) -> Self {
        Problems {
            file: file.to_owned(),
            items: Vec::new(),
        }
    }

    /// Records a problem at line `no`.
    pub(crate) fn at(&mut self, no: usize, message: impl Into<String>) {
        self.items.push(Problem {
            file: self.file.clone(),
            line: no,
            message: message.into(),
        });
    }

    /// Records that `line` is not a statement the reader knows, naming what was expected.
    pub(crate) fn unknown(&mut self, line: &Line<'_>, context: &str) {
        let shown: String = line.text.chars().take(100).collect();
        self.at(
            line.no,
            format!(
                "unknown line in {context} (indent {}): `{shown}`",
                line.indent
            ),
        );
    }
}

#[derive(Clone, Copy)]
enum Hole {
    Ident,
    Str,
    Type,
    Any,
}

impl Hole {
    fn admits(self, c: char) -> bool {
        match self {
            Hole::Ident => c.is_ascii_alphanumeric() || c == '_',
            Hole::Str => c != '\'' && c != '\\',
            Hole::Type => {
                c.is_ascii_alphanumeric() || matches!(c, '_' | '[' | ']' | ',' | ' ' | '\'' | '.')
            }
            Hole::Any => true,
        }
    }

    /// Whether the hole may match nothing.
    fn may_be_empty(self) -> bool {
        matches!(self, Hole::Str | Hole::Any)
    }
}

/// Matches `text` against `pattern`; the holes' contents in order, or `None`.
pub(crate) fn capture<'a>(text: &'a str, pattern: &str) -> Option<Vec<&'a str>> {
    let mut out = Vec::new();
    go(text, pattern, &mut out).then_some(out)
}

/// Whether `text` matches `pattern`.
pub(crate) fn is(text: &str, pattern: &str) -> bool {
    capture(text, pattern).is_some()
}

/// The single hole of a one-hole `pattern`.
pub(crate) fn one<'a>(text: &'a str, pattern: &str) -> Option<&'a str> {
    capture(text, pattern).and_then(|v| v.first().copied())
}

/// The two holes of a two-hole `pattern`.
pub(crate) fn two<'a>(text: &'a str, pattern: &str) -> Option<(&'a str, &'a str)> {
    capture(text, pattern).and_then(|v| Some((*v.first()?, *v.get(1)?)))
}

fn go<'a>(text: &'a str, pattern: &str, out: &mut Vec<&'a str>) -> bool {
    let Some(dollar) = pattern.find('$') else {
        return text == pattern;
    };
    let (literal, rest) = pattern.split_at(dollar);
    let Some(text) = text.strip_prefix(literal) else {
        return false;
    };
    let hole = match rest.as_bytes().get(1) {
        Some(b'i') => Hole::Ident,
        Some(b's') => Hole::Str,
        Some(b't') => Hole::Type,
        _ => Hole::Any,
    };
    let rest = &rest[2..];
    // The longest run the hole admits, then shorter ones (backtracking).
    let run = text
        .char_indices()
        .find(|&(_, c)| !hole.admits(c))
        .map_or(text.len(), |(i, _)| i);
    let min = usize::from(!hole.may_be_empty());
    let mut end = run;
    loop {
        if end >= min && text.is_char_boundary(end) {
            let mark = out.len();
            out.push(&text[..end]);
            if go(&text[end..], rest, out) {
                return true;
            }
            out.truncate(mark);
        }
        if end == 0 {
            return false;
        }
        end -= 1;
    }
}

/// Checks Python's block rule over the body lines of one function: after a line ending in `:`
/// the next line is indented exactly 4 deeper, otherwise never deeper than the line before.
/// Blank lines are skipped. Returns the lines that break it.
pub(crate) fn check_blocks(body: &[Line<'_>], base: usize, problems: &mut Problems) {
    let mut prev: Option<&Line<'_>> = None;
    for line in body.iter().filter(|l| !l.text.is_empty()) {
        let ok = match prev {
            None => line.indent == base,
            Some(p) if p.text.ends_with(':') => line.indent == p.indent + 4,
            Some(p) => line.indent <= p.indent && line.indent >= base && line.indent % 4 == 0,
        };
        if !ok {
            problems.at(
                line.no,
                format!(
                    "unexpected indentation ({} spaces) of `{}`",
                    line.indent, line.text
                ),
            );
        }
        prev = Some(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_capture_what_they_admit() {
        assert_eq!(
            capture(
                "query['userId'] = request.user_id",
                "query['$s'] = request.$i"
            ),
            Some(vec!["userId", "user_id"])
        );
        assert_eq!(
            two("corp_names: Dict[str, List[str]] = None,", "$i: $t = None,"),
            Some(("corp_names", "Dict[str, List[str]]"))
        );
        assert_eq!(one("@summary 获取 a: b", "@summary $*"), Some("获取 a: b"));
        assert_eq!(one("@summary", "@summary $*"), None);
        assert_eq!(one("x = ''", "x = '$s'"), Some(""));
        assert!(!is("query['a'b'] = request.x", "query['$s'] = request.$i"));
        assert!(!is(
            "if not UtilClient.is_unset(request.x) :",
            "if not UtilClient.is_unset(request.$i):"
        ));
        assert!(is("body = {}", "body = {}"));
    }

    #[test]
    fn blocks_follow_python_indentation() {
        let text = "        if a:\n            b\n        c\n                d\n";
        let mut p = Problems::new("f.py");
        check_blocks(&lines(text), 8, &mut p);
        assert_eq!(p.items.len(), 1);
        assert_eq!(p.items[0].line, 4);
    }
}
