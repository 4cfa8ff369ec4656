//! Diagnostics: errors and warnings about a user's input, each naming file, line, column,
//! document and field path, so a person can jump straight to the problem.
//!
//! Rendered as
//! `error: scenarios/x.yaml:12:5: ScaledObject/redis-so: spec.pollingInterval: expected an integer, found the string "3"`.

use std::fmt;

use crate::yaml::{de::DeError, Origin, Pos};

/// How bad it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The run cannot go on.
    Error,
    /// The run goes on, but the user should know.
    Warning,
}

/// One message about the input.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as the user wrote it (relative paths stay relative), or `--set` / `<embedded>`.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub col: Option<u32>,
    /// `Kind/name` of the document, when known.
    pub object: Option<String>,
    /// Field path inside the document (`spec.triggers[0].metadata.listLength`), or empty.
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl Diagnostic {
    /// An error with no position (e.g. a missing file).
    pub fn error(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            line: None,
            col: None,
            object: None,
            path: String::new(),
            message: message.into(),
        }
    }

    /// A warning with no position.
    pub fn warning(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, message)
        }
    }

    /// Sets the position from a node origin; an override origin names the `--set` argument.
    pub fn at_origin(mut self, origin: Origin, overrides: &[String]) -> Self {
        match origin {
            Origin::File { start, .. } => {
                self.line = Some(start.line);
                self.col = Some(start.col);
            }
            Origin::Override(i) => {
                if let Some(raw) = overrides.get(i) {
                    self.file = format!("--set {raw}");
                    self.line = None;
                    self.col = None;
                }
            }
        }
        self
    }

    /// Sets the position.
    pub fn at_pos(mut self, pos: Pos) -> Self {
        self.line = Some(pos.line);
        self.col = Some(pos.col);
        self
    }

    /// Names the document.
    pub fn in_object(mut self, object: impl Into<String>) -> Self {
        self.object = Some(object.into());
        self
    }

    /// Names the field path.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// A diagnostic from a deserialization error in `file`.
    pub fn from_de(e: &DeError, file: &str, object: Option<&str>, overrides: &[String]) -> Self {
        let mut d = Diagnostic::error(file, e.message.clone()).with_path(e.path.clone());
        if let Some(o) = object {
            d = d.in_object(o);
        }
        match e.origin {
            Some(origin) => d.at_origin(origin, overrides),
            None => d,
        }
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}: {}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.col {
                write!(f, ":{c}")?;
            }
        }
        f.write_str(": ")?;
        if let Some(o) = &self.object {
            write!(f, "{o}: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// Everything that went wrong while loading, errors first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_object_path() {
        let d = Diagnostic::error("s.yaml", "expected an integer, found the string \"3\"")
            .at_pos(Pos { line: 12, col: 5 })
            .in_object("ScaledObject/redis-so")
            .with_path("spec.pollingInterval");
        assert_eq!(
            d.to_string(),
            "error: s.yaml:12:5: ScaledObject/redis-so: spec.pollingInterval: expected an integer, found the string \"3\""
        );
        let w = Diagnostic::warning("s.yaml", "x").at_origin(Origin::Override(0), &["a=b".into()]);
        assert_eq!(w.to_string(), "warning: --set a=b: x");
    }
}
