//! Problems found in a user's data, kept as values so that an import can
//! report every one of them (`FILE:LINE: COLUMN: message`) instead of stopping
//! at the first; and the one error type that means "wrong usage" (exit 2).

use crate::i18n::errors::Localized;
use crate::i18n::{Lang, Msg};
use crate::input::headers::Field;
use std::fmt;

/// Where in a row a problem is: one column, the row as a whole, or the
/// file as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Field(Field),
    Row,
    File,
}

impl Column {
    /// bangfu's own name of the column (`id`, `date`, …, `row`, `file`).
    pub fn key(self) -> &'static str {
        match self {
            Column::Field(field) => field.name(),
            Column::Row => "row",
            Column::File => "file",
        }
    }

    /// The column's name in `lang`: bangfu's own in English, its usual
    /// Chinese name in Chinese.
    pub fn name(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Lang::En, column) => column.key(),
            (Lang::Zh, Column::Field(field)) => field.zh(),
            (Lang::Zh, Column::Row) => "行",
            (Lang::Zh, Column::File) => "文件",
        }
    }
}

/// One problem with one row (or the whole file) of an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line in the file; the header is line 1.
    pub line: u64,
    pub column: Column,
    /// The file's own header cell for the column (`帮扶人`), where the file
    /// has one; the Chinese output names the column so (contract §5).
    pub header: Option<String>,
    pub message: Msg,
}

impl Problem {
    pub fn new(
        file: impl Into<String>,
        line: u64,
        column: Column,
        message: impl Into<Msg>,
    ) -> Problem {
        Problem {
            file: file.into(),
            line,
            column,
            header: None,
            message: message.into(),
        }
    }

    /// The same problem, its column named by the file's header cell.
    pub fn with_header(self, header: Option<&str>) -> Problem {
        Problem {
            header: header.map(str::to_owned),
            ..self
        }
    }

    /// `FILE:LINE: COLUMN: message`. In English the column is bangfu's own
    /// name of it, whatever the file's header says: the name the
    /// documentation, `--help` and the missing-column message use, the same
    /// in every file (a sheet's headers are mostly Chinese, which an English
    /// reader may not read). In Chinese it is the file's own header, where
    /// the file has the column, else the column's usual Chinese name.
    pub fn text(&self, lang: Lang) -> String {
        let column = match (lang, &self.header) {
            (Lang::Zh, Some(header)) => crate::values::text::printable(header).into_owned(),
            _ => self.column.name(lang).to_string(),
        };
        format!(
            "{}:{}: {column}: {}",
            self.file,
            self.line,
            self.message.text(lang)
        )
    }
}

/// English, as in logs and tests.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// A warning of an import: about a file as a whole (`FILE: message`) or
/// about one place in it, written as a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    File { file: String, message: Msg },
    At(Problem),
}

impl Warning {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Warning::File { file, message } => format!("{file}: {}", message.text(lang)),
            Warning::At(problem) => problem.text(lang),
        }
    }
}

/// The user asked for something that cannot be done as asked: a file that
/// does not exist, an unknown encoding, a reference that matches nothing.
/// `main` turns it into exit status 2, its message in the user's language
/// ([`crate::i18n::errors`]).
#[derive(Debug)]
pub struct UsageError(Box<dyn Localized>);

impl UsageError {
    /// A message not yet in the catalogue (English whatever the language).
    pub fn new(message: impl Into<String>) -> UsageError {
        UsageError(Box::new(message.into()))
    }

    /// A message of the catalogue, rendered when it is printed.
    pub fn said(message: impl Localized) -> UsageError {
        UsageError(Box::new(message))
    }
}

impl Localized for UsageError {
    fn text(&self, lang: Lang) -> String {
        self.0.text(lang)
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.text(Lang::En))
    }
}

impl std::error::Error for UsageError {}

/// Print problems to stderr, the first `limit` in full and then a count;
/// the ID and phone numbers they quote masked unless `reveal`.
pub fn report_problems(problems: &[Problem], limit: usize, lang: Lang, reveal: bool) {
    for problem in problems.iter().take(limit) {
        say(&problem.text(lang), reveal);
    }
    if problems.len() > limit {
        let more = Msg::MoreProblems {
            more: (problems.len() - limit) as u64,
            all: problems.len() as u64,
        };
        say(&more.text(lang), reveal);
    }
}

/// Print one line a person reads to stderr: any ID or phone number in it
/// masked, unless `reveal`, and no control character in it left to act on
/// the terminal (a file named with an escape sequence is shown as
/// `\u{1b}`). Every message bangfu prints to stderr goes through here.
pub fn say(line: &str, reveal: bool) {
    eprintln!(
        "{}",
        printable_lines(&crate::report::mask::text(line, reveal))
    );
}

/// [`printable`](crate::values::printable) line by line: the line breaks
/// of a text of several lines (a note, a message; `\n`, `\r\n` or a lone
/// `\r`) are `\n`; any other control character is written escaped.
pub fn printable_lines(text: &str) -> std::borrow::Cow<'_, str> {
    use crate::values::printable;
    use std::borrow::Cow;
    let lines = || text.split(['\n', '\r']);
    if !text.contains('\r') && lines().all(|l| matches!(printable(l), Cow::Borrowed(_))) {
        return Cow::Borrowed(text);
    }
    let text = text.replace("\r\n", "\n");
    let lines: Vec<_> = text.split(['\n', '\r']).map(printable).collect();
    Cow::Owned(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_lines_keep_their_breaks_and_escape_the_rest() {
        assert_eq!(printable_lines("a\nb"), "a\nb");
        assert_eq!(printable_lines("a\r\nb\rc"), "a\nb\nc");
        assert_eq!(
            printable_lines("f\u{1b}[31mred\nx\u{7}"),
            "f\\u{1b}[31mred\nx\\u{7}"
        );
    }

    #[test]
    fn displays_as_file_line_column_message() {
        let p = Problem::new(
            "h.csv",
            3,
            Column::Field(Field::Head),
            crate::i18n::import::ImportMsg::Empty,
        );
        assert_eq!(p.to_string(), "h.csv:3: head: is empty");
        assert_eq!(p.text(Lang::Zh), "h.csv:3: 户主: 为空");
        let p = p.with_header(Some("户主姓名"));
        assert_eq!(p.text(Lang::Zh), "h.csv:3: 户主姓名: 为空");
    }
}
