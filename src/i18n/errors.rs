//! Errors in the reader's language. An error is made deep in the library,
//! where the language is not known (a reference resolved in
//! [`crate::report::group`], a target refused in [`crate::output`]), and
//! printed once, by `main`, which knows it. So an error carries its message
//! as a value of the catalogue — a [`Localized`] — and the text is rendered
//! when it is printed, by [`text`], link by link of its chain: never
//! pre-rendered English, and no language threaded through every function
//! that can fail.
//!
//! [`text`] knows the error types that carry such a message (the list in
//! [`localized`]); any other error is printed as it displays itself (the
//! store's and SQLite's, still English until their step). A message with a
//! cause is an error type with a `#[source]`, listed there — not anyhow's
//! `.context(…)`: a context value cannot be found again in the chain to be
//! rendered.

use super::report::ReportMsg;
use super::{tr, Lang, Msg};
use crate::output::OutputError;
use crate::problem::UsageError;
use crate::report::group::{MoneyOverflow, TooManyValues};
use std::error::Error;
use std::fmt;

/// A message that is rendered in the reader's language when it is shown.
pub trait Localized: fmt::Debug + Send + Sync + 'static {
    fn text(&self, lang: Lang) -> String;
}

impl Localized for Msg {
    fn text(&self, lang: Lang) -> String {
        Msg::text(self, lang)
    }
}

/// A message not yet in the catalogue: English whatever the language.
impl Localized for super::store::StoreMsg {
    fn text(&self, lang: Lang) -> String {
        super::store::StoreMsg::text(self, lang)
    }
}

impl Localized for String {
    fn text(&self, _: Lang) -> String {
        self.clone()
    }
}

/// The message an error carries, if it is of a type that carries one.
fn localized<'a>(e: &'a (dyn Error + 'static)) -> Option<&'a dyn Localized> {
    if let Some(e) = e.downcast_ref::<UsageError>() {
        Some(e)
    } else if let Some(e) = e.downcast_ref::<ReportMsg>() {
        Some(e)
    } else if let Some(e) = e.downcast_ref::<Msg>() {
        Some(e)
    } else if let Some(e) = e.downcast_ref::<MoneyOverflow>() {
        Some(e)
    } else if let Some(e) = e.downcast_ref::<TooManyValues>() {
        Some(e)
    } else if let Some(e) = e.downcast_ref::<OutputError>() {
        Some(e)
    } else {
        e.downcast_ref::<std::io::Error>()
            .map(|e| e as &dyn Localized)
    }
}

/// The line `main` prints for an error that ended a command:
/// `bangfu: message: cause: …`, each part in `lang` where it can be. The
/// program's name stays as typed; Chinese separates with `：`.
pub fn text(e: &anyhow::Error, lang: Lang) -> String {
    let separator = tr!(lang, ": ", "：");
    let mut line = String::from("bangfu");
    for link in e.chain() {
        line.push_str(separator);
        match localized(link) {
            Some(message) => line.push_str(&message.text(lang)),
            None => line.push_str(&link.to_string()),
        }
    }
    line
}

/// Whether the error is wrong usage (exit 2): a [`UsageError`] anywhere in
/// its chain.
pub fn is_usage(e: &anyhow::Error) -> bool {
    e.downcast_ref::<UsageError>().is_some() || e.chain().any(|c| c.is::<UsageError>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::report::{Forbidden, Refusal};

    #[test]
    fn every_link_of_the_chain_is_rendered_in_the_language() {
        let refused = UsageError::said(ReportMsg::RefuseWrite {
            path: "b.db".into(),
            why: Refusal::Is(Forbidden::Database),
        });
        // A context of anyhow's is printed as it displays itself.
        let e = anyhow::Error::from(refused).context("exporting");
        assert_eq!(
            text(&e, Lang::En),
            "bangfu: exporting: refusing to write b.db: it is the database"
        );
        assert_eq!(
            text(&e, Lang::Zh),
            "bangfu：exporting：不能写入 b.db：它是数据库"
        );
        assert!(is_usage(&e));
        // English is what anyhow itself prints.
        assert_eq!(text(&e, Lang::En), format!("bangfu: {e:#}"));
    }

    #[test]
    fn the_errors_of_reports_and_outputs_are_rendered_in_the_language() {
        let e = anyhow::Error::from(MoneyOverflow);
        assert_eq!(text(&e, Lang::En), format!("bangfu: {e:#}"));
        assert!(text(&e, Lang::Zh).starts_with("bangfu：金额合计超过"));
        let e = anyhow::Error::from(TooManyValues(crate::report::group::Dim::Household));
        assert!(text(&e, Lang::Zh).contains("“户编号”的取值太多"));
        let e = anyhow::Error::from(OutputError {
            path: "r.csv".into(),
            source: std::io::Error::from(std::io::ErrorKind::StorageFull),
        });
        assert_eq!(text(&e, Lang::En), format!("bangfu: {e:#}"));
        assert_eq!(text(&e, Lang::Zh), "bangfu：无法写入 r.csv：磁盘已满");
        assert!(!is_usage(&e));
        // bangfu's own words in an I/O error are kept: they say more.
        let kept = std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "denied; what it was to hold is in .r.tmp",
        );
        let e = anyhow::Error::from(OutputError {
            path: "r.csv".into(),
            source: kept,
        });
        assert!(text(&e, Lang::Zh).ends_with("what it was to hold is in .r.tmp"));
    }

    #[test]
    fn other_errors_are_printed_as_they_display() {
        let e = anyhow::anyhow!("something else");
        assert_eq!(text(&e, Lang::Zh), "bangfu：something else");
        assert!(!is_usage(&e));
        let e = anyhow::Error::from(UsageError::new("plain")).context("outer");
        assert!(is_usage(&e));
    }
}
