//! Checks of what people type, shared by every feature: user names, one-line text and text
//! blocks. Each returns the cleaned value or a validation error naming its field.

use crate::error::{AppError, Problem};

/// Longest user name.
pub const USERNAME_MAX: usize = 64;

/// Normalises and checks a user name: 2 to 64 of a-z, 0-9, `.`, `_`, `-`, `@`.
pub fn validate_username(raw: &str) -> Result<String, AppError> {
    let name = raw.trim().to_lowercase();
    if name.len() < 2 || name.len() > USERNAME_MAX {
        return Err(AppError::validation(
            "username",
            format!("Use 2 to {USERNAME_MAX} characters."),
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return Err(AppError::validation(
            "username",
            "Use letters, digits and . _ - @ only.",
        ));
    }
    Ok(name)
}

/// Checks one line of free text: trimmed, within `min..=max` characters, no control characters.
pub fn validate_text(
    field: &'static str,
    raw: &str,
    min: usize,
    max: usize,
) -> Result<String, AppError> {
    let text = raw.trim().to_string();
    let n = text.chars().count();
    if n < min {
        return Err(AppError::validation(
            field,
            if min <= 1 {
                "This is required.".to_string()
            } else {
                format!("Write at least {min} characters.")
            },
        ));
    }
    if n > max {
        return Err(AppError::validation(
            field,
            format!("Keep it to {max} characters."),
        ));
    }
    if text.chars().any(|c| c.is_control()) {
        return Err(AppError::validation(
            field,
            "Control characters are not allowed.",
        ));
    }
    Ok(text)
}

/// Checks multi-line text: trimmed, line breaks normalised, limited, no control characters
/// other than line breaks and tabs.
pub fn validate_text_block(field: &'static str, raw: &str, max: usize) -> Result<String, AppError> {
    let text = raw.trim().replace("\r\n", "\n");
    if text.chars().count() > max {
        return Err(AppError::validation(
            field,
            format!("Keep it to {max} characters."),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(AppError::validation(
            field,
            "Control characters are not allowed.",
        ));
    }
    Ok(text)
}

/// Collects every problem of a form instead of stopping at the first, so that a refused form
/// names all of them at once. Errors other than refused values (a missing record, a database
/// failure) are not problems of the form: the first such is kept and returned as it is.
#[derive(Debug, Default)]
pub struct Checks {
    problems: Vec<Problem>,
    other: Option<AppError>,
}

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    /// The value when `result` is fine; otherwise notes its problems and gives `None`.
    pub fn check<T>(&mut self, result: Result<T, AppError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.note(e);
                None
            }
        }
    }

    /// Notes a refusal (each of its problems) or keeps the first other error.
    pub fn note(&mut self, e: AppError) {
        let problems = e.problems();
        if problems.is_empty() {
            self.other.get_or_insert(e);
        } else {
            for p in problems {
                self.problem(p.field, p.message);
            }
        }
    }

    /// Notes one problem (a field gets its first message only: the others follow from it).
    pub fn problem(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        if !self.problems.iter().any(|p| p.field == field) {
            self.problems.push(Problem {
                field,
                message: message.into(),
            });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty() && self.other.is_none()
    }

    /// The problems noted so far.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Fine when nothing was noted; else the other error kept, or every problem.
    pub fn finish(self) -> Result<(), AppError> {
        match self.other {
            Some(e) => Err(e),
            None => AppError::from_problems(self.problems),
        }
    }

    /// `value` when nothing was noted (see [`Checks::finish`]).
    pub fn done<T>(self, value: T) -> Result<T, AppError> {
        self.finish().map(|()| value)
    }
}

/// A calendar date written `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<time::Date> {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(r: Result<String, AppError>) -> String {
        r.expect_err("refused")
            .field()
            .unwrap_or_default()
            .to_string()
    }

    #[test]
    fn every_problem_of_a_form_is_named_once_per_field() {
        let mut checks = Checks::new();
        assert_eq!(
            checks.check(validate_text("name", "ok", 1, 80)),
            Some("ok".into())
        );
        assert!(checks.is_empty());
        assert_eq!(checks.check(validate_text("name", "", 1, 80)), None);
        checks.check(validate_username("a"));
        checks.problem("name", "A second message for the same field.");
        let err = checks.finish().expect_err("refused");
        let fields: Vec<String> = err.problems().into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["name", "username"]);
        assert_eq!(err.field(), Some("name"));
        assert_eq!(err.status_code(), 400);

        let mut one = Checks::new();
        one.check(validate_username("a"));
        assert!(matches!(one.finish(), Err(AppError::Validation { .. })));

        let mut other = Checks::new();
        other.check(validate_username("a"));
        other.note(AppError::NotFound);
        assert_eq!(other.finish(), Err(AppError::NotFound));
        assert_eq!(Checks::new().done(7), Ok(7));
    }

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(validate_username("  Alice.Smith ").unwrap(), "alice.smith");
        assert_eq!(field_of(validate_username("a")), "username");
        assert!(validate_username("bob smith").is_err());
        assert!(validate_username("<script>").is_err());
        assert!(validate_username(&"x".repeat(65)).is_err());
        assert!(validate_username(&"x".repeat(64)).is_ok());
    }

    #[test]
    fn text_limits() {
        assert_eq!(
            validate_text("reason", "  lost phone in taxi ", 10, 500).unwrap(),
            "lost phone in taxi"
        );
        assert_eq!(
            field_of(validate_text("reason", "short", 10, 500)),
            "reason"
        );
        assert!(validate_text("name", "", 1, 80).is_err());
        assert!(validate_text("name", "a\u{7}b", 1, 80).is_err());
        assert!(validate_text("name", &"é".repeat(81), 1, 80).is_err());
        assert!(validate_text("name", &"é".repeat(80), 1, 80).is_ok());
    }

    #[test]
    fn text_blocks_keep_line_breaks_and_refuse_other_controls() {
        assert_eq!(
            validate_text_block("description", " a\r\nb\tc ", 100).unwrap(),
            "a\nb\tc"
        );
        assert_eq!(
            field_of(validate_text_block("description", "a\u{1b}b", 100)),
            "description"
        );
        assert!(validate_text_block("description", &"x".repeat(101), 100).is_err());
        assert_eq!(validate_text_block("description", "", 100).unwrap(), "");
    }
}
