//! Telling a file's text encoding. Clerks' exports come as UTF-8 (with or
//! without a BOM), as GBK/GB18030 from Excel and WPS on Chinese Windows, or as
//! UTF-16 with a BOM (Excel's "Unicode text"). A BOM decides; otherwise a file
//! that is valid UTF-8 throughout is UTF-8 and anything else is GB18030, the
//! superset of GBK. The whole file is scanned (cheaply, in blocks) so that a
//! GBK character far down the file is not mistaken for broken UTF-8.

use encoding_rs::Encoding;
use std::io::{self, Read};

/// What the start of a file says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// Text in this encoding; `bom` is the length of its byte-order mark.
    Text {
        encoding: &'static Encoding,
        bom: usize,
    },
    /// No bytes at all.
    Empty,
    /// A zip container: an .xlsx or .ods workbook.
    Zip,
    /// An OLE compound file: an .xls workbook.
    Ole,
    /// NUL bytes without a UTF-16 BOM: not a text export.
    Binary,
    /// UTF-8 throughout but for a character cut off at the very end (a
    /// truncated copy): read as UTF-8, with the broken bytes marked.
    TruncatedUtf8,
}

/// The name bangfu reports for an encoding.
pub fn display_name(encoding: &'static Encoding, bom: usize) -> String {
    let name = if encoding == encoding_rs::GBK || encoding == encoding_rs::GB18030 {
        "GB18030"
    } else {
        encoding.name()
    };
    if bom > 0 {
        format!("{name} (BOM)")
    } else {
        name.to_string()
    }
}

/// Look up an encoding the user named with `--encoding` (`utf-8`, `gbk`,
/// `gb18030`, `utf-16le`, `utf-16be`, or any WHATWG label).
pub fn from_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// Length of a byte-order mark for `encoding` at the start of `head`.
pub fn bom_length(head: &[u8], encoding: &'static Encoding) -> usize {
    match Encoding::for_bom(head) {
        Some((found, len)) if found == encoding => len,
        _ => 0,
    }
}

/// Read the whole stream and tell what it holds.
pub fn sniff<R: Read>(mut file: R) -> io::Result<Sniffed> {
    let mut block = vec![0u8; 64 * 1024];
    let first = read_full(&mut file, &mut block)?;
    let head = &block[..first];
    if head.is_empty() {
        return Ok(Sniffed::Empty);
    }
    if let Some((encoding, bom)) = Encoding::for_bom(head) {
        return Ok(Sniffed::Text { encoding, bom });
    }
    if head.starts_with(b"PK\x03\x04") {
        return Ok(Sniffed::Zip);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Ok(Sniffed::Ole);
    }
    if head.contains(&0) {
        return Ok(Sniffed::Binary);
    }
    // Validate UTF-8 block by block in place: an incomplete sequence at the
    // end of a block moves to the front and the next read fills in behind.
    let mut len = first;
    loop {
        let at_end = len < block.len();
        match simdutf8::compat::from_utf8(&block[..len]) {
            Ok(_) => len = 0,
            Err(e) if e.error_len().is_none() && !at_end => {
                block.copy_within(e.valid_up_to()..len, 0);
                len -= e.valid_up_to();
            }
            Err(e) if e.error_len().is_none() => return Ok(Sniffed::TruncatedUtf8),
            Err(_) => {
                return Ok(Sniffed::Text {
                    encoding: encoding_rs::GB18030,
                    bom: 0,
                })
            }
        }
        if at_end {
            break;
        }
        len += read_full(&mut file, &mut block[len..])?;
    }
    Ok(Sniffed::Text {
        encoding: encoding_rs::UTF_8,
        bom: 0,
    })
}

/// Tell a workbook from the first bytes of a file, leaving it unread.
pub fn sniff_head(file: &std::fs::File) -> io::Result<Sniffed> {
    let mut head = [0u8; 8];
    let mut reader = file;
    let n = read_full(&mut reader, &mut head)?;
    let mut reader = file;
    io::Seek::seek(&mut reader, io::SeekFrom::Start(0))?;
    let head = &head[..n];
    Ok(if head.starts_with(b"PK\x03\x04") {
        Sniffed::Zip
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Sniffed::Ole
    } else {
        Sniffed::Empty
    })
}

/// Fill `buf` as far as the file allows; fewer bytes only at its end.
fn read_full<R: Read>(file: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff_bytes(bytes: &[u8]) -> Sniffed {
        sniff(bytes).unwrap()
    }

    #[test]
    fn tells_utf8_without_bom() {
        let s = sniff_bytes("户编号,户主\nH1,张三\n".as_bytes());
        assert_eq!(
            s,
            Sniffed::Text {
                encoding: encoding_rs::UTF_8,
                bom: 0
            }
        );
    }

    #[test]
    fn tells_utf8_with_bom() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice("户编号\n".as_bytes());
        assert_eq!(
            sniff_bytes(&bytes),
            Sniffed::Text {
                encoding: encoding_rs::UTF_8,
                bom: 3
            }
        );
    }

    #[test]
    fn tells_gbk_from_invalid_utf8() {
        let (bytes, _, _) = encoding_rs::GBK.encode("户编号,户主\nH1,张三\n");
        assert_eq!(
            sniff_bytes(&bytes),
            Sniffed::Text {
                encoding: encoding_rs::GB18030,
                bom: 0
            }
        );
    }

    #[test]
    fn tells_gbk_far_down_an_ascii_file() {
        let mut text = String::from("id,head,township\n");
        for i in 0..10_000 {
            text.push_str(&format!("H{i},Zhang,Gongnong\n"));
        }
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(&encoding_rs::GBK.encode("H99,张三,工农乡\n").0);
        assert!(matches!(
            sniff_bytes(&bytes),
            Sniffed::Text { encoding, .. } if encoding == encoding_rs::GB18030
        ));
    }

    #[test]
    fn keeps_utf8_when_a_character_straddles_blocks() {
        // Every way a 3- or 4-byte character can be cut by the first and
        // the second block boundary, and an invalid byte just after one.
        for boundary in [64 * 1024, 2 * 64 * 1024] {
            for lead in boundary - 4..=boundary {
                for ch in ["张", "𠀀"] {
                    let mut text = "a".repeat(lead);
                    text.push_str(ch);
                    text.push_str("三\n");
                    assert!(
                        matches!(
                            sniff_bytes(text.as_bytes()),
                            Sniffed::Text { encoding, .. } if encoding == encoding_rs::UTF_8
                        ),
                        "{ch} after {lead} bytes"
                    );
                    let mut bytes = text.into_bytes();
                    bytes.insert(boundary, 0xB3);
                    assert!(matches!(
                        sniff_bytes(&bytes),
                        Sniffed::Text { encoding, .. } if encoding == encoding_rs::GB18030
                    ));
                }
            }
        }
    }

    #[test]
    fn a_utf8_file_cut_off_mid_character_is_still_utf8() {
        let mut bytes = "户编号,户主\nH1,张三".as_bytes().to_vec();
        bytes.truncate(bytes.len() - 1);
        assert_eq!(sniff_bytes(&bytes), Sniffed::TruncatedUtf8);
    }

    #[test]
    fn tells_utf16_from_its_bom() {
        let mut le = vec![0xFF, 0xFE];
        for unit in "id\thead\n".encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(
            sniff_bytes(&le),
            Sniffed::Text {
                encoding: encoding_rs::UTF_16LE,
                bom: 2
            }
        );
        let mut be = vec![0xFE, 0xFF];
        for unit in "id\thead\n".encode_utf16() {
            be.extend_from_slice(&unit.to_be_bytes());
        }
        assert_eq!(
            sniff_bytes(&be),
            Sniffed::Text {
                encoding: encoding_rs::UTF_16BE,
                bom: 2
            }
        );
    }

    #[test]
    fn tells_empty_binary_and_workbooks() {
        assert_eq!(sniff_bytes(b""), Sniffed::Empty);
        assert_eq!(sniff_bytes(b"\x7fELF\x00\x01\x02"), Sniffed::Binary);
        assert_eq!(sniff_bytes(b"PK\x03\x04rest"), Sniffed::Zip);
    }

    #[test]
    fn names_encodings_as_clerks_know_them() {
        assert_eq!(display_name(encoding_rs::GBK, 0), "GB18030");
        assert_eq!(display_name(encoding_rs::UTF_8, 3), "UTF-8 (BOM)");
        assert_eq!(from_label("gbk"), Some(encoding_rs::GBK));
        assert_eq!(from_label("utf-16le"), Some(encoding_rs::UTF_16LE));
        assert_eq!(from_label("klingon"), None);
    }
}
