//! Every value parser on arbitrary text: none may panic, and what parses
//! must survive a round trip through its stored form.
#![no_main]

use bangfu::values::{normalize_header, Category, Date, Fen, IdNumber, Phone, Status};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(fen) = Fen::parse(text) {
        assert!(fen.0 >= 0);
        assert_eq!(Fen::parse(&fen.yuan_string()), Ok(fen));
        assert_eq!(Fen::parse(&fen.display()), Ok(fen));
    }
    if let Ok(date) = Date::parse(text) {
        assert_eq!(Date::from_days(date.days()), Some(date));
        assert_eq!(Date::parse(&date.to_string()), Ok(date));
    }
    if let Ok(id) = IdNumber::parse(text, Date::last()) {
        assert_eq!(id.as_str().len(), 18);
        assert!(!id.masked().contains(&id.as_str()[4..14]));
    }
    let _ = Phone::parse(text).map(|p| p.masked());
    let _ = Category::parse(text);
    let _ = Status::parse(text);
    let _ = normalize_header(text);
});
