//! Mangled exports — truncated, stray quotes, BOMs in the middle, NULs,
//! random bytes, duplicated lines — fed to `import`: the exit status is
//! 0, 1 or 2, never a panic, and the database is unchanged unless it is 0;
//! and when it is 0, every data row of the file is accounted for.

use crate::common;

use common::{path_str, small_district, Workdir};
use proptest::prelude::*;

/// Exports to start from: deliveries in UTF-8 and households in GBK.
fn seeds() -> Vec<Vec<u8>> {
    let deliveries = "日期,帮扶人,户编号,类别,物资（元）,资金,备注\r\n\
        2001-03-05,M1,H1,送温暖,\"1,200.50\",100,\"送米,面\"\r\n\
        2001年3月6日,赵六,H2,办实事,1.2万,,修房\r\n\
        合计,,,,13200.50,100,\r\n";
    let households = "户编号,户主,身份证号码,乡镇（街道）,村\r\nH7,孙八,,工农乡,红旗村\r\nH8,周九,,向阳街道,\r\n";
    vec![
        deliveries.as_bytes().to_vec(),
        encoding_rs::GBK.encode(households).0.into_owned(),
    ]
}

#[derive(Debug, Clone)]
enum Mangle {
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Replace(usize, Vec<u8>),
    DuplicateLine(usize),
}

fn mangle() -> impl Strategy<Value = Mangle> {
    let stray = prop_oneof![
        Just(b"\"".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xFF\xFE".to_vec()),
        Just(vec![0u8]),
        Just(b"\r".to_vec()),
        Just(b",,,".to_vec()),
        proptest::collection::vec(any::<u8>(), 1..8),
    ];
    prop_oneof![
        any::<usize>().prop_map(Mangle::Truncate),
        (any::<usize>(), stray.clone()).prop_map(|(i, b)| Mangle::Insert(i, b)),
        (any::<usize>(), stray).prop_map(|(i, b)| Mangle::Replace(i, b)),
        any::<usize>().prop_map(Mangle::DuplicateLine),
    ]
}

fn apply(mut bytes: Vec<u8>, mangles: &[Mangle]) -> Vec<u8> {
    for m in mangles {
        let len = bytes.len().max(1);
        match m {
            Mangle::Truncate(i) => bytes.truncate(i % len),
            Mangle::Insert(i, b) => {
                let at = i % len;
                bytes.splice(at.min(bytes.len())..at.min(bytes.len()), b.iter().copied());
            }
            Mangle::Replace(i, b) => {
                let at = (i % len).min(bytes.len());
                let end = (at + b.len()).min(bytes.len());
                bytes.splice(at..end, b.iter().copied());
            }
            Mangle::DuplicateLine(i) => {
                let lines: Vec<&[u8]> = bytes.split_inclusive(|&c| c == b'\n').collect();
                if !lines.is_empty() {
                    let line = lines[i % lines.len()].to_vec();
                    let at = lines[..=i % lines.len()]
                        .iter()
                        .map(|l| l.len())
                        .sum::<usize>();
                    bytes.splice(at..at, line);
                }
            }
        }
    }
    bytes
}

/// The data rows a file holds: its records with a value after the first
/// one that names a kind's columns, split as a CSV reader splits them (a
/// quoted cell may hold line ends, its quote closing on a later line). A
/// quote still open at the end of the file swallowed the rest of it: then
/// each line is a row (the seeds have no cell over several lines), so that
/// a quote that takes in the lines after it must not make them vanish.
fn data_rows(bytes: &[u8]) -> u64 {
    let text = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, bom)) => encoding.decode_without_bom_handling(&bytes[bom..]).0,
        None => match std::str::from_utf8(bytes) {
            Ok(text) => text.into(),
            Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0,
        },
    };
    // Lines end with LF, CRLF or CR alone, in any mix.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let delimiter = char::from(bangfu::input::sniff_delimiter(text.as_bytes()));
    let rows: Vec<Vec<String>> = records(&text, delimiter).unwrap_or_else(|| {
        text.split('\n')
            .map(|line| line.split(delimiter).map(String::from).collect())
            .collect()
    });
    let rows: Vec<Vec<&str>> = rows
        .iter()
        .map(|cells| cells.iter().map(|c| c.trim()).collect::<Vec<_>>())
        // A row of nothing but delimiters and quotes (`,"` left at the end
        // by a cut) holds no value: a blank row, which no reader counts.
        .filter(|cells| cells.iter().any(|c| !c.trim_matches('"').trim().is_empty()))
        .collect();
    let header = rows
        .iter()
        .position(|cells| bangfu::input::headers::detect_kind(cells).is_some())
        .unwrap_or(0);
    rows.len().saturating_sub(header + 1) as u64
}

/// The records of `text` (lines ending in LF) and their cells as a CSV
/// reader reads them: a quote opens a quoted cell only as a cell's first
/// character, `""` in it is a quote, a line end in it is the cell's; `None`
/// when a quoted cell is still open at the end.
fn records(text: &str, delimiter: char) -> Option<Vec<Vec<String>>> {
    #[derive(PartialEq)]
    enum At {
        Start,
        Plain,
        Quoted,
        QuoteInQuoted,
    }
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let mut at = At::Start;
    for c in text.chars() {
        match (&at, c) {
            (At::Quoted, '"') => at = At::QuoteInQuoted,
            (At::Quoted, c) => cell.push(c),
            (At::QuoteInQuoted, '"') => {
                cell.push('"');
                at = At::Quoted;
            }
            (At::Start, '"') => at = At::Quoted,
            (_, c) if c == delimiter => {
                row.push(std::mem::take(&mut cell));
                at = At::Start;
            }
            (_, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
                at = At::Start;
            }
            (_, c) => {
                cell.push(c);
                at = At::Plain;
            }
        }
    }
    if at == At::Quoted {
        return None;
    }
    if at != At::Start || !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    Some(rows)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn mangled_exports_never_panic_and_never_half_write(
        seed in 0usize..2,
        mangles in proptest::collection::vec(mangle(), 1..4),
        random in proptest::option::weighted(0.1, proptest::collection::vec(any::<u8>(), 0..200)),
    ) {
        let w = Workdir::new();
        let [h, m, p] = small_district(&w);
        w.stdout(&["import", path_str(&h), path_str(&m), path_str(&p)]);
        let before = w.dump();
        let bytes = random.unwrap_or_else(|| apply(seeds()[seed].clone(), &mangles));
        w.write("mangled.csv", &bytes);
        let out = w.bangfu().args(["import", "mangled.csv"]).output().unwrap();
        let code = out.status.code();
        let stderr = String::from_utf8_lossy(&out.stderr);
        prop_assert!(matches!(code, Some(0..=2)), "exit {:?}: {}", code, stderr);
        prop_assert!(!stderr.contains("panicked"), "{}", stderr);
        if code != Some(0) {
            prop_assert_eq!(w.dump(), before);
        } else {
            let [read, counts @ ..] = common::logged(&w, "mangled.csv");
            let accounted: i64 = counts.iter().sum();
            prop_assert_eq!(read, accounted, "{}", stderr);
            prop_assert_eq!(read as u64, data_rows(&bytes), "{}\n{:?}", stderr, String::from_utf8_lossy(&bytes));
        }
    }
}

/// The model itself: a quote that closes on a later line keeps its cell
/// whole, as the CSV reader does (the saved case: a CR inside the quoted
/// note), and a quote left open counts the lines it would swallow.
#[test]
fn the_model_counts_a_cell_over_two_lines_once_and_a_swallowed_line_as_a_row() {
    let deliveries = String::from_utf8(seeds()[0].clone()).unwrap();
    assert_eq!(data_rows(deliveries.as_bytes()), 3);
    let two_lines = deliveries.replace("送米,面", "送米\r面");
    assert_eq!(data_rows(two_lines.as_bytes()), 3);
    let open = deliveries.replace(",修房", ",\"修房");
    assert_eq!(data_rows(open.as_bytes()), 3);
    let closed_later = deliveries.replace(",修房", ",\"修\r房\"");
    assert_eq!(data_rows(closed_later.as_bytes()), 3);
}
