//! Located diagnostics, gathered rather than returned one at a time.
//!
//! Every check records its problem in [`Diagnostics`] and goes on, so one run reports every
//! problem of the spec (serde's `Ctxt` idea). Each problem prints as
//! `FILE:LINE:COLUMN: error: message`, on one line: control characters of the file name or of a
//! quoted spec value are escaped.

use std::fmt;

/// A place in a spec file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// The file, as given to the loader.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
}

impl Pos {
    /// A position at `line:column` of `file`.
    pub fn new(file: &str, line: u64, column: u64) -> Self {
        Pos {
            file: file.to_owned(),
            line,
            column,
        }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", one_line(&self.file), self.line, self.column)
    }
}

/// `text` with its control characters escaped (`\n`, `\u{7}`), so a file name or a spec value
/// quoted in a message can never break a diagnostic over two lines.
pub(crate) fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Where.
    pub pos: Pos,
    /// What, lowercase, no trailing period.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: error: {}", self.pos, one_line(&self.message))
    }
}

/// Every problem found, sorted by position when reported.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records a problem.
    pub fn error(&mut self, pos: &Pos, message: impl Into<String>) {
        self.items.push(Diagnostic {
            pos: pos.clone(),
            message: message.into(),
        });
    }

    /// How many problems were recorded.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The problems, sorted by file, line and column.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort();
        self.items.dedup();
        self.items
    }

    /// Ends a phase: `Ok(value)` when nothing was recorded, else every problem.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<Diagnostic>> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self.into_sorted())
        }
    }
}
