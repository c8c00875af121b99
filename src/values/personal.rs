//! ID and phone numbers inside any text — a cell quoted in a message, an
//! argument echoed in a usage error, a note — found and masked
//! (`4301**********123X`, `138****5678`). The recognition is strict, so that
//! amounts, dates, serials, ids like `H001` and decimals (`3.14159260001`,
//! `9.2233720368547758E16`) stay as written:
//! - an ID number is 17 digits and a check character (digit or `X`) that
//!   passes the GB 11643 check (ISO 7064 MOD 11-2) with a province code
//!   11–82; the old 15-digit numbers are not masked (they cannot be told
//!   from 15-digit serials and record ids, and were replaced long ago);
//! - a phone number is a mobile number `1[3-9]` and 9 more digits (also after
//!   `86`), a number after `+` of 7–15 digits, or a landline written with a
//!   separator after its area code (`0731-88886666`, `010 8888 6666`);
//! - digits may be split by single spaces or `-` (`138 1234 5678`); a run
//!   that is part of a longer word (`ID4301…`, `H13812345678`) or of a
//!   decimal number is not a number of its own and is left alone.

use super::id_number::check_char;
use super::text::mask_digits;
use std::borrow::Cow;

/// Separators allowed between the digits of one number.
fn is_separator(b: u8) -> bool {
    b == b' ' || b == b'-'
}

/// A character that makes digits next to it part of a longer word.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `text` with every ID and phone number in it masked (see the module
/// header for what counts as one). Borrows when there is none. Digits
/// typed full-width (`１１０１０１…`, a Chinese input method's) are
/// numbers too: where such a number is masked, the text comes back with
/// its full-width digits (and `Ｘ`) folded to ASCII.
pub fn numbers_in(text: &str) -> Cow<'_, str> {
    let is_wide = |c: char| matches!(c, '\u{FF10}'..='\u{FF19}' | 'Ｘ' | 'ｘ');
    if !text.chars().any(is_wide) {
        return ascii_numbers_in(text);
    }
    let folded: String = text
        .chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | 'Ｘ' | 'ｘ' => {
                char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .collect();
    match ascii_numbers_in(&folded) {
        Cow::Owned(masked) => Cow::Owned(masked),
        Cow::Borrowed(_) => Cow::Borrowed(text),
    }
}

/// [`numbers_in`] for ASCII digits.
fn ascii_numbers_in(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    // The shortest number masked has 7 digits.
    if b.iter().filter(|c| c.is_ascii_digit()).count() < 7 {
        return Cow::Borrowed(text);
    }
    let at = |i: usize| b.get(i).copied();
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // A run: groups of digits with single separators between them, and
        // perhaps an `X` closing the last group.
        let start = i;
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut j = i;
        loop {
            let group = j;
            while at(j).is_some_and(|c| c.is_ascii_digit()) {
                j += 1;
            }
            groups.push((group, j));
            let more =
                at(j).is_some_and(is_separator) && at(j + 1).is_some_and(|c| c.is_ascii_digit());
            if !more {
                break;
            }
            j += 1;
        }
        if at(j).is_some_and(|c| c == b'X' || c == b'x') && !at(j + 1).is_some_and(is_word) {
            j += 1;
            if let Some(last) = groups.last_mut() {
                last.1 = j;
            }
        }
        let end = j;
        let in_number = |c: Option<u8>, next: Option<u8>| {
            c.is_some_and(is_word) || (c == Some(b'.') && next.is_some_and(|n| n.is_ascii_digit()))
        };
        let left_ok = !in_number(
            start.checked_sub(1).and_then(at),
            start.checked_sub(2).and_then(at),
        );
        let right_ok = !in_number(at(end), at(end + 1));
        let plus = start.checked_sub(1).and_then(at) == Some(b'+');
        let mut k = 0;
        while k < groups.len() {
            // The longest span of groups from `k` that is a number.
            let mut found = None;
            let mut digits = 0;
            for l in k + 1..=groups.len() {
                let (first, last) = (groups[k], groups[l - 1]);
                digits += groups[l - 1].1 - groups[l - 1].0;
                if digits > 18 {
                    break;
                }
                let allowed = (k > 0 || left_ok) && (l < groups.len() || right_ok);
                let span = &text[first.0..last.1];
                if let Some(masked) = allowed
                    .then(|| classify(span, l - k > 1, plus && k == 0))
                    .flatten()
                {
                    found = Some((l, first.0, last.1, masked));
                }
            }
            match found {
                Some((l, from, to, masked)) => {
                    out.push_str(&text[copied..from]);
                    out.push_str(&masked);
                    copied = to;
                    k = l;
                }
                None => k += 1,
            }
        }
        i = end;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The mask of `span` (digits, separators, perhaps a final `X`) when it is
/// an ID or phone number; `separated` when it has separators, `plus` when
/// a `+` stands before it.
fn classify(span: &str, separated: bool, plus: bool) -> Option<String> {
    let compact: String = span
        .chars()
        .filter(|c| !is_separator(*c as u8))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let n = compact.len();
    if n == 18 {
        let (first17, check) = compact.split_at(17);
        let province: u8 = first17.get(..2)?.parse().ok()?;
        let valid = check_char(first17).is_some_and(|c| check.starts_with(c))
            && (11..=82).contains(&province);
        return valid.then(|| format!("{}**********{}", &compact[..4], &compact[14..]));
    }
    if !compact.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mobile = |d: &str| {
        let d = d.as_bytes();
        d.len() == 11 && d[0] == b'1' && (b'3'..=b'9').contains(&d[1])
    };
    let landline = separated
        && span.starts_with('0')
        && span
            .find(is_separator_char)
            .is_some_and(|g| g == 3 || g == 4)
        && (10..=12).contains(&n);
    let phone = mobile(&compact)
        || compact.strip_prefix("86").is_some_and(mobile)
        || (plus && (7..=15).contains(&n))
        || landline;
    phone.then(|| mask_digits(&compact))
}

fn is_separator_char(c: char) -> bool {
    c == ' ' || c == '-'
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn full_width_digits_are_numbers_too() {
        let wide: String = "11010119900307777"
            .chars()
            .chain(check_char("11010119900307777"))
            .map(|c| match c {
                '0'..='9' => char::from_u32(u32::from(c) + 0xFEE0).unwrap(),
                'X' => 'Ｘ',
                c => c,
            })
            .collect();
        let note = format!("身份证{wide}，送米");
        let masked = numbers_in(&note);
        assert!(masked.contains("1101**********"), "{masked}");
        assert!(masked.ends_with("，送米"), "{masked}");
        // Full-width digits that are no number stay as written.
        assert!(matches!(numbers_in("送米１００斤"), Cow::Borrowed(_)));
    }

    fn valid_id(first17: &str) -> String {
        let check = check_char(first17).unwrap();
        format!("{first17}{check}")
    }

    #[test]
    fn masks_id_and_phone_numbers_inside_a_message() {
        let id = valid_id("22040319900101107");
        let masked_id = format!("2204**********{}", &id[14..]);
        assert_eq!(
            numbers_in(&format!("no household has the id or head \"{id}\"")),
            format!("no household has the id or head \"{masked_id}\"")
        );
        assert_eq!(numbers_in("call 13812345678."), "call 138****5678.");
        assert_eq!(numbers_in("电话13812345678，户主"), "电话138****5678，户主");
        assert_eq!(numbers_in("138 1234 5678"), "138****5678");
        assert_eq!(numbers_in("138-1234-5678"), "138****5678");
        assert_eq!(numbers_in("+86 138 1234 5678"), "+861****5678");
        assert_eq!(numbers_in("0731-88886666"), "073****6666");
        assert_eq!(
            numbers_in(&format!("{id},13912345678")),
            format!("{masked_id},139****5678")
        );
        // A date next to a phone number, joined by a space.
        assert_eq!(
            numbers_in("2001-03-05 13812345678"),
            "2001-03-05 138****5678"
        );
        let lower = id.to_lowercase();
        assert_eq!(numbers_in(&lower), masked_id);
    }

    #[test]
    fn leaves_other_numbers_as_written() {
        for text in [
            "3.14159260001",
            "9.2233720368547758E16",
            "4.30102E+17",
            "20010305",
            "2001-03-05",
            "1,200,000.00",
            "100000000000000",
            "430523102001001",
            "H001",
            "H13812345678",
            "ID13812345678",
            "13812345678X",
            "1381234567890",
            "12345678",
            "8888 6666",
            "1 200 000",
            "36955",
        ] {
            assert_eq!(numbers_in(text), text);
        }
        // 17 digits with a wrong check character are not an ID number.
        let id = valid_id("43010219800101123");
        let wrong = format!("{}{}", &id[..17], if id.ends_with('1') { '2' } else { '1' });
        assert_eq!(numbers_in(&wrong), wrong);
    }

    /// Text with numbers of every other kind clerks' files hold: words,
    /// short counts, decimals (long ones too), dates, amounts, ids, serial
    /// dates; joined by punctuation that does not join digits.
    fn text_without_personal_numbers() -> impl Strategy<Value = String> {
        let token = prop_oneof![
            "[a-zA-Z送温暖户主]{1,5}",
            "[0-9]{1,6}",
            "[0-9]{1,3}\\.[0-9]{1,14}",
            "[0-9]\\.[0-9]{1,16}E\\+?[0-9]{1,2}",
            "(19|20)[0-9]{2}-[01][0-9]-[0-3][0-9]",
            "(19|20)[0-9]{2}[01][0-9][0-3][0-9]",
            "[1-9][0-9]{0,2}(,[0-9]{3}){0,4}(\\.[0-9]{2})?",
            "[A-Z][0-9]{1,16}",
            "[0-9]{1,16}[a-z]{1,3}",
        ];
        let joint = "[,;:/()\"。，、（）]";
        prop::collection::vec((token, joint), 0..10)
            .prop_map(|parts| parts.into_iter().map(|(t, j)| t + &j).collect())
    }

    proptest! {
        #[test]
        fn text_without_id_or_phone_numbers_is_never_changed(s in text_without_personal_numbers()) {
            prop_assert_eq!(numbers_in(&s), s.as_str());
        }

        #[test]
        fn hides_the_middle_of_every_valid_id_number(
            body in "[1-6][1-9][0-9]{15}",
            before in "([a-z]{1,3}[ ,:\"(])?[送 ,:\"(]{0,3}",
            after in "[送 ,:\")]{0,3}([ ,:\")][a-z]{1,3})?",
        ) {
            let id = valid_id(&body);
            let text = format!("{before}{id}{after}");
            let masked = numbers_in(&text);
            prop_assert!(!masked.contains(&id[4..14]), "{text:?} -> {masked:?}");
            let mask = format!("{}**********{}", &id[..4], &id[14..]);
            prop_assert!(masked.contains(&mask), "{:?} -> {:?}", text, masked);
        }
    }
}
