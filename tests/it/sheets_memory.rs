//! An .xls or .ods with one stray value far below or to the right of its
//! table is refused in words, in little memory and at once (calamine would
//! build the whole used range, a gigabyte, before bangfu saw a cell); the
//! same sheet without the stray value, and a full sheet that ends its rows
//! with LibreOffice's runs of repeated empty cells, import.

use crate::common::{self, path_str, scalar, Workdir};
use std::io::Write;
use std::path::PathBuf;

/// The households of every sheet here: a header and `rows` rows.
fn households(rows: usize) -> Vec<Vec<String>> {
    let mut table = vec![vec!["户编号".into(), "户主".into(), "乡镇".into()]];
    for i in 1..=rows {
        table.push(vec![format!("H{i}"), format!("户主{i}"), "工农乡".into()]);
    }
    table
}

// .xls: BIFF8 records in the Workbook stream of a compound file, as Excel
// 97-2003 saves them.

fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut r = typ.to_le_bytes().to_vec();
    r.extend_from_slice(
        &u16::try_from(data.len())
            .expect("short record")
            .to_le_bytes(),
    );
    r.extend_from_slice(data);
    r
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// A LABEL: row, column, format, then the text as UTF-16.
fn label(row: u16, col: u16, text: &str) -> Vec<u8> {
    let mut d = [row.to_le_bytes(), col.to_le_bytes(), [0, 0]].concat();
    let units = u16::try_from(text.encode_utf16().count()).expect("short text");
    d.extend_from_slice(&units.to_le_bytes());
    d.push(1);
    d.extend(utf16(text));
    record(0x0204, &d)
}

/// A NUMBER: row, column, format, then the value.
fn number(row: u16, col: u16, value: f64) -> Vec<u8> {
    let mut d = [row.to_le_bytes(), col.to_le_bytes(), [0, 0]].concat();
    d.extend_from_slice(&value.to_le_bytes());
    record(0x0203, &d)
}

/// One sheet named 台账 holding `table`, and a number at `stray` if given;
/// its DIMENSIONS record spans every cell, as Excel writes it.
fn xls(w: &Workdir, name: &str, table: &[Vec<String>], stray: Option<(u16, u16)>) -> PathBuf {
    let bof = |kind: u16| {
        let mut d = [0x0600u16.to_le_bytes(), kind.to_le_bytes()].concat();
        d.extend_from_slice(&[0; 12]);
        record(0x0809, &d)
    };
    let eof = record(0x000A, &[]);
    let mut cells = Vec::new();
    for (r, row) in table.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            cells.extend(label(r as u16, c as u16, text));
        }
    }
    let (mut last_row, mut last_col) = (table.len() as u32, 3u16);
    if let Some((row, col)) = stray {
        cells.extend(number(row, col, 1.0));
        (last_row, last_col) = (u32::from(row) + 1, col + 1);
    }
    let dimensions = record(
        0x0200,
        &[
            0u32.to_le_bytes().as_slice(),
            &last_row.to_le_bytes(),
            &0u16.to_le_bytes(),
            &last_col.to_le_bytes(),
            &[0, 0],
        ]
        .concat(),
    );
    let sheet_name = "台账";
    // BOUNDSHEET: where the sheet's BOF is, visible, a worksheet, its name.
    let boundsheet = |pos: u32| {
        let mut d = pos.to_le_bytes().to_vec();
        d.extend_from_slice(&[0, 0, sheet_name.encode_utf16().count() as u8, 1]);
        d.extend(utf16(sheet_name));
        record(0x0085, &d)
    };
    let globals_len = bof(0x0005).len() + boundsheet(0).len() + eof.len();
    let stream = [
        bof(0x0005),
        boundsheet(globals_len as u32),
        eof.clone(),
        bof(0x0010),
        dimensions,
        cells,
        eof,
    ]
    .concat();
    // Excel pads the stream to 4096 bytes, so that it lives in full-size
    // sectors (calamine does not read it from the mini stream).
    let mut stream = stream;
    stream.resize(stream.len().max(4096), 0);
    let path = w.path(name);
    // Version 3 (512-byte sectors), as Excel writes it.
    let mut file = cfb::CompoundFile::create_with_version(
        cfb::Version::V3,
        std::fs::File::create(&path).expect("create"),
    )
    .expect("compound file");
    let mut workbook = file.create_stream("/Workbook").expect("stream");
    workbook.write_all(&stream).expect("write");
    drop(workbook);
    file.flush().expect("flush");
    path
}

// .ods: a zip whose content.xml holds the table, as LibreOffice writes it:
// every row ends in a run of repeated empty cells, and the rows after the
// table are one repeated empty row.

fn ods_cell(text: &str) -> String {
    format!(
        "<table:table-cell office:value-type=\"string\"><text:p>{text}</text:p></table:table-cell>"
    )
}

/// One sheet named 台账 holding `table`, and a string at `stray` (row,
/// column) if given.
fn ods(w: &Workdir, name: &str, table: &[Vec<String>], stray: Option<(u32, u32)>) -> PathBuf {
    let width = 3;
    let mut rows = String::new();
    for row in table {
        rows.push_str("<table:table-row>");
        for text in row {
            rows.push_str(&ods_cell(text));
        }
        rows.push_str(&format!(
            "<table:table-cell table:number-columns-repeated=\"{}\"/></table:table-row>",
            1024 - width
        ));
    }
    let empty_rows = |n: usize| {
        format!(
            "<table:table-row table:number-rows-repeated=\"{n}\">\
             <table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>"
        )
    };
    let mut used = table.len();
    if let Some((row, col)) = stray {
        let row = row as usize;
        rows.push_str(&empty_rows(row - used));
        rows.push_str(&format!(
            "<table:table-row><table:table-cell table:number-columns-repeated=\"{col}\"/>{}\
             </table:table-row>",
            ods_cell("x")
        ));
        used = row + 1;
    }
    rows.push_str(&empty_rows(1_048_576 - used));
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet><table:table table:name=\"台账\">\
         <table:table-column table:number-columns-repeated=\"1024\"/>{rows}\
         </table:table></office:spreadsheet></office:body></office:document-content>"
    );
    let path = w.path(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).expect("zip");
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .expect("zip");
    zip.start_file(
        "META-INF/manifest.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .expect("zip");
    zip.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
          <manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" \
          manifest:version=\"1.2\"><manifest:file-entry manifest:full-path=\"/\" \
          manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
          <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
          </manifest:manifest>",
    )
    .expect("zip");
    zip.start_file("content.xml", zip::write::SimpleFileOptions::default())
        .expect("zip");
    zip.write_all(content.as_bytes()).expect("zip");
    zip.finish().expect("zip");
    path
}

/// Far less than calamine's dense range of the stray values here (0.5 to
/// 1.3 GB), and several times what bangfu takes to read a small sheet.
/// Address space, not memory: each of the import's four threads may have
/// glibc's malloc reserve an arena of 64 MiB of addresses for it, of which
/// it uses a few (peak memory is measured by bench/, under 64 MiB).
const MEMORY: u64 = 400 << 20;

/// Run `bangfu ARGS` in `w` with at most `MEMORY` of address space: its
/// exit code (None when a signal ended it, as when an allocation fails)
/// and stderr.
fn bounded(w: &Workdir, args: &[&str]) -> (Option<i32>, String) {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_bangfu"));
    cmd.current_dir(w.dir.path())
        .env("BANGFU_DB", w.target())
        .env("BANGFU_TODAY", common::TODAY)
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .args(args);
    // SAFETY: setrlimit is async-signal-safe and touches no memory of the
    // parent; it runs in the child between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: MEMORY,
                rlim_max: MEMORY,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    // The bound is the memory limit; no time limit (the suite's timing
    // depends on the machine, and speed is measured by bench/).
    let out = cmd.output().expect("run bangfu");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), stderr)
}

/// `bangfu import FILE` in `w` is refused at FILE, naming the sheet and
/// `cell`, within the memory bound.
fn refused(w: &Workdir, file: &str, cell: &str) {
    let (code, err) = bounded(w, &["import", file]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains(&format!("{file}:1: file:")), "{err}");
    assert!(err.contains(cell) && err.contains("\"台账\""), "{err}");
}

#[test]
fn a_stray_value_at_iv65536_in_an_xls_is_refused_in_little_memory() {
    let w = Workdir::new();
    xls(&w, "far.xls", &households(10), Some((65_535, 255)));
    refused(&w, "far.xls", "IV65536");
    crate::bangfu_snapshot!("far_xls_en", w, ["--lang", "en", "import", "far.xls"]);
    crate::bangfu_snapshot!("far_xls_zh", w, ["--lang", "zh", "import", "far.xls"]);
}

#[test]
fn a_stray_value_at_xfd1048576_in_an_ods_is_refused_in_words() {
    let w = Workdir::new();
    ods(&w, "far.ods", &households(10), Some((1_048_575, 16_383)));
    refused(&w, "far.ods", "XFD1048576");
    crate::bangfu_snapshot!("far_ods_en", w, ["--lang", "en", "import", "far.ods"]);
    crate::bangfu_snapshot!("far_ods_zh", w, ["--lang", "zh", "import", "far.ods"]);
}

/// A stray value near enough for calamine to build its range (under its
/// cap of 100 million cells): 30,000 rows by 700 columns, 21 million
/// cells, about 670 MB.
#[test]
fn a_stray_value_that_calamine_would_build_in_an_ods_is_refused_in_little_memory() {
    let w = Workdir::new();
    ods(&w, "far.ods", &households(10), Some((29_999, 699)));
    refused(&w, "far.ods", "ZX30000");
}

#[test]
fn the_same_sheets_without_the_stray_value_import() {
    for (name, write) in [
        (
            "near.xls",
            (|w: &Workdir, n: &str| xls(w, n, &households(10), None))
                as fn(&Workdir, &str) -> PathBuf,
        ),
        ("near.ods", |w: &Workdir, n: &str| {
            ods(w, n, &households(10), None)
        }),
    ] {
        let w = Workdir::new();
        let file = write(&w, name);
        let (code, err) = bounded(&w, &["import", path_str(&file)]);
        assert_eq!(code, Some(0), "{name}: {err}");
        assert_eq!(
            scalar(&w, "SELECT count(*) FROM households"),
            "10",
            "{name}"
        );
        assert_eq!(
            scalar(&w, "SELECT head FROM households WHERE id = 'H10'"),
            "户主10",
            "{name}"
        );
    }
}

/// A full sheet of 20,000 households, each row ended by LibreOffice's run
/// of 1021 repeated empty cells and the sheet by a million repeated empty
/// rows: the runs hold nothing, the sheet is read.
#[test]
fn a_full_sheet_with_libreoffices_repeated_empty_cells_imports() {
    let w = Workdir::new();
    let full = ods(&w, "full.ods", &households(20_000), None);
    let (code, err) = bounded(&w, &["import", path_str(&full)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(scalar(&w, "SELECT count(*) FROM households"), "20000");
}

/// An .xls whose sheet offset (BOUNDSHEET) points past the end of its
/// stream: calamine 0.38 indexes the stream there and panics.
#[test]
fn an_xls_whose_sheet_lies_past_its_stream_is_an_error_not_a_crash() {
    let w = Workdir::new();
    let path = xls(&w, "损坏.xls", &households(3), None);
    // Rewrite the BOUNDSHEET offset (the first 4 bytes of its data) in the
    // compound file's stream.
    let mut file = cfb::open_rw(&path).expect("compound file");
    let mut stream = Vec::new();
    {
        let mut s = file.open_stream("/Workbook").expect("stream");
        std::io::Read::read_to_end(&mut s, &mut stream).expect("read");
    }
    let at = stream
        .windows(2)
        .position(|w| w == 0x0085u16.to_le_bytes())
        .expect("BOUNDSHEET");
    stream[at + 4..at + 8].copy_from_slice(&1_000_000u32.to_le_bytes());
    {
        let mut s = file.create_stream("/Workbook").expect("stream");
        s.write_all(&stream).expect("write");
    }
    file.flush().expect("flush");
    drop(file);
    let out = w
        .bangfu()
        .args(["import", path_str(&path)])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("损坏.xls:1:"), "{err}");
    assert!(err.contains("the workbook is damaged"), "{err}");
    let out = w
        .bangfu()
        .args(["--lang", "zh", "import", path_str(&path)])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("工作簿已损坏"), "{err}");
    assert_eq!(w.dump(), "");
}

/// An .ods whose content.xml breaks off inside a table (a copy cut short)
/// is an error at that file, at once, and nothing is written.
#[test]
fn an_ods_whose_content_breaks_off_is_an_error_at_that_file() {
    let w = Workdir::new();
    let whole = ods(&w, "whole.ods", &households(3), None);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&whole).unwrap()).unwrap();
    let mut content = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("content.xml").unwrap(), &mut content).unwrap();
    // Cut inside a row's first cell, after a whole row, and in a tag.
    for (i, cut) in [
        content.find("<text:p>").expect("a cell") + 9,
        content.find("</table:table-row>").expect("a row") + 18,
        content.find("<table:table-row").expect("a row") + 5,
    ]
    .into_iter()
    .enumerate()
    {
        broken_ods_is_refused(&w, &content.as_bytes()[..cut], &format!("断了{i}.ods"));
    }
}

fn broken_ods_is_refused(w: &Workdir, content: &[u8], name: &str) {
    let path = w.path(name);
    let mut out = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    out.start_file("mimetype", stored).unwrap();
    out.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    out.start_file("content.xml", stored).unwrap();
    out.write_all(content).unwrap();
    out.finish().unwrap();
    let out = w
        .bangfu()
        .args(["import", path_str(&path)])
        .timeout(std::time::Duration::from_secs(10))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{name}: {err}");
    assert!(err.contains(&format!("{name}:1:")), "{err}");
    assert_eq!(w.dump(), "");
}
