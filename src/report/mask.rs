//! Personal numbers in human output: ID and phone numbers are masked
//! (`4301**********123X`, `138****5678`) unless the user asks for `--reveal`.

use crate::values::{redact, IdNumber, Phone};

/// An ID number as shown.
pub fn id_number(stored: &str, reveal: bool) -> String {
    if reveal {
        return stored.to_string();
    }
    IdNumber::parse(stored).map_or_else(|_| redact(stored), |n| n.masked())
}

/// A phone number as shown.
pub fn phone(stored: &str, reveal: bool) -> String {
    if reveal {
        return stored.to_string();
    }
    Phone::parse(stored).map_or_else(|_| redact(stored), |p| p.masked())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_unless_revealed() {
        let first17 = "43010219800101123";
        let check = crate::values::id_number::check_char(first17).unwrap();
        let full = format!("{first17}{check}");
        assert_eq!(id_number(&full, false), format!("4301**********123{check}"));
        assert_eq!(id_number(&full, true), full);
        assert_eq!(phone("13812345678", false), "138****5678");
        assert_eq!(phone("13812345678", true), "13812345678");
    }
}
