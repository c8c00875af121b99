//! One CSV file's bytes imported into an in-memory database that already
//! holds a small district: never a panic, and a failed import writes nothing.
#![no_main]

use bangfu::import::{import, ImportOptions, Input};
use bangfu::input::{ReadOptions, Source};
use bangfu::store::Store;
use bangfu::values::Date;
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;

fn input(name: &str, bytes: Vec<u8>) -> Input {
    Input {
        name: name.to_string(),
        source: Source::from_reader(Cursor::new(bytes), &ReadOptions::default()),
    }
}

fn count(store: &Store, today: Date) -> Option<bangfu::store::query::Summary> {
    bangfu::store::query::summary(store.reports(), today).ok()
}

fuzz_target!(|data: &[u8]| {
    let today = Date::from_ymd(2003, 6, 30).unwrap();
    let mut store = Store::in_memory().unwrap();
    let base = vec![
        input("h.csv", b"id,head,township\nH1,a,T\nH2,b,T\n".to_vec()),
        input("m.csv", b"id,name,unit,households\nM1,c,U,H1\n".to_vec()),
    ];
    import(&mut store, base, &ImportOptions::default(), today, |_| Ok(())).unwrap();
    let before = count(&store, today);
    let report = import(
        &mut store,
        vec![input("fuzz.csv", data.to_vec())],
        &ImportOptions::default(),
        today,
        |_| Ok(()),
    )
    .unwrap();
    if !report.committed {
        assert_eq!(count(&store, today), before);
    }
});
