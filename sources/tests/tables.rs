//! SQLite and Parquet read into cells as their types say, a window pushed into SQLite's query
//! meaning what it means on a file, and a label join's counts.

#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringDictionaryBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float32Array, Int32Array, RecordBatch,
    StringArray, TimestampMillisecondArray,
};
use tandem_sources::url::FetchOptions;
use tandem_sources::{Dataset, JoinKeys, Source, Window};

fn dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("tables")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_window_on_sqlite_keeps_the_rows_it_keeps_on_a_file() {
    let d = dir("window");
    let db = d.join("events.db");
    let con = rusqlite::Connection::open(&db).unwrap();
    con.execute_batch(
        "CREATE TABLE events (id INTEGER, at TEXT, x REAL);
         INSERT INTO events VALUES
           (1, '2024-02-29', 1.5),
           (2, '2024-03-01T00:00:00Z', 2.5),
           (3, '2024-03-01 00:30:00+01:00', NULL),
           (4, '2024-03-15T12:00:00.250', 4.0),
           (5, '2024-04-01', 5.0),
           (6, NULL, 6.0),
           (7, 'soon', 7.0);",
    )
    .unwrap();
    drop(con);
    let csv = d.join("events.csv");
    std::fs::write(
        &csv,
        "id,at,x\n1,2024-02-29,1.5\n2,2024-03-01T00:00:00Z,2.5\n3,2024-03-01 00:30:00+01:00,\n4,2024-03-15T12:00:00.250,4\n5,2024-04-01,5\n6,,6\n7,soon,7\n",
    )
    .unwrap();
    let window = Window::new("at", Some("2024-03-01"), Some("2024-04-01")).unwrap();
    let read = |arg: &str| {
        let source = Source::parse(arg, Path::new("")).unwrap();
        let data = Dataset {
            source,
            window: Some(window.clone()),
            labels: None,
        }
        .materialize(&FetchOptions::from_env())
        .unwrap();
        let ids: Vec<i64> = lines(data.path())
            .iter()
            .map(|r| {
                r["id"]
                    .as_i64()
                    .unwrap_or_else(|| r["id"].as_str().unwrap().parse().unwrap())
            })
            .collect();
        (ids, data.report.window.clone().unwrap().1)
    };
    let (from_db, db_counts) = read(&format!("sqlite:{}?table=events", db.display()));
    let (from_csv, csv_counts) = read(csv.to_str().unwrap());
    // 3 is 2024-02-29T23:30Z: outside once its offset is applied.
    assert_eq!(from_db, [2, 4]);
    assert_eq!(from_csv, [2, 4]);
    assert_eq!((csv_counts.kept, csv_counts.outside), (2, 3));
    assert_eq!((csv_counts.missing, csv_counts.unreadable), (1, 1));
    // SQLite never sent the rows outside (nor those without a readable time).
    assert_eq!(db_counts.kept, 2);
    assert_eq!(
        db_counts.outside + db_counts.missing + db_counts.unreadable,
        0
    );
}

#[test]
fn labels_join_by_key_with_every_count() {
    let d = dir("join");
    std::fs::write(d.join("i.csv"), "key,x\n1,a\n2,b\n3.0,c\n,d\n4,e\n").unwrap();
    std::fs::write(
        d.join("l.jsonl"),
        "{\"key\": 1, \"y\": \"yes\"}\n{\"key\": 3, \"y\": \"no\"}\n{\"key\": 4, \"y\": \"no\"}\n{\"key\": 4, \"y\": \"yes\"}\n{\"key\": 9, \"y\": \"no\"}\n{\"key\": 1, \"y\": \"yes\"}\n{\"key\": 5, \"y\": null}\n",
    )
    .unwrap();
    let data = Dataset {
        source: Source::parse("i.csv", &d).unwrap(),
        window: None,
        labels: Some((
            Source::parse("l.jsonl", &d).unwrap(),
            JoinKeys {
                key: "key".into(),
                column: "y".into(),
                label: "label".into(),
            },
        )),
    }
    .materialize(&FetchOptions::from_env())
    .unwrap();
    let rows = lines(data.path());
    let labels: Vec<_> = rows.iter().map(|r| r["label"].clone()).collect();
    assert_eq!(
        labels,
        vec![
            serde_json::json!("yes"),
            serde_json::Value::Null,
            serde_json::json!("no"),
            serde_json::Value::Null,
            serde_json::Value::Null
        ],
        "1 labelled twice alike, 2 unlabelled, 3.0 is key 3, no key, 4 in conflict"
    );
    let (_, j) = data.report.join.clone().unwrap();
    assert_eq!(
        (j.instances, j.labels, j.matched, j.instances_unmatched),
        (5, 7, 2, 3)
    );
    assert_eq!(
        (j.labels_unmatched, j.conflicting_keys, j.labels_incomplete),
        (1, 1, 1)
    );
    assert_eq!(j.unmatched_examples, ["2", "(no key)", "4"]);
    // The label cannot come from two places.
    let clash = Dataset {
        source: Source::parse("l.jsonl", &d).unwrap(),
        window: None,
        labels: Some((
            Source::parse("l.jsonl", &d).unwrap(),
            JoinKeys {
                key: "key".into(),
                column: "y".into(),
                label: "y".into(),
            },
        )),
    };
    let e = clash.materialize(&FetchOptions::from_env()).err().unwrap();
    assert_eq!(e.code(), "SOURCE_JOIN");
}

#[test]
fn parquet_columns_read_as_their_types_say() {
    let d = dir("parquet");
    let mut dict = StringDictionaryBuilder::<Int32Type>::new();
    dict.append_value("1st");
    dict.append_null();
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("n", Arc::new(Int32Array::from(vec![Some(3), None]))),
        ("f", Arc::new(Float32Array::from(vec![0.1, f32::NAN]))),
        (
            "s",
            Arc::new(StringArray::from(vec![Some("a \"q\""), None])),
        ),
        ("c", Arc::new(dict.finish())),
        ("d", Arc::new(Date32Array::from(vec![Some(-21_087), None]))),
        (
            "t",
            Arc::new(TimestampMillisecondArray::from(vec![Some(1_500), None]).with_timezone("UTC")),
        ),
        (
            "m",
            Arc::new(
                Decimal128Array::from(vec![Some(12_345), None])
                    .with_precision_and_scale(10, 2)
                    .unwrap(),
            ),
        ),
        ("b", Arc::new(BooleanArray::from(vec![Some(true), None]))),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let path = d.join("t.parquet");
    let file = std::fs::File::create(&path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let data = tandem_sources::open(path.to_str().unwrap(), &FetchOptions::from_env()).unwrap();
    let text = std::fs::read_to_string(data.path()).unwrap();
    assert_eq!(
        text,
        "{\"n\":3,\"f\":0.1,\"s\":\"a \\\"q\\\"\",\"c\":\"1st\",\"d\":\"1912-04-08\",\"t\":\"1970-01-01T00:00:01.5Z\",\"m\":\"123.45\",\"b\":true}\n\
         {\"n\":null,\"f\":null,\"s\":null,\"c\":null,\"d\":null,\"t\":null,\"m\":null,\"b\":null}\n"
    );
    // A list column is refused by name.
    let mut list = ListBuilder::new(arrow_array::builder::Int32Builder::new());
    list.values().append_value(1);
    list.append(true);
    let batch =
        RecordBatch::try_from_iter(vec![("tags", Arc::new(list.finish()) as ArrayRef)]).unwrap();
    let path = d.join("list.parquet");
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        batch.schema(),
        None,
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let e = tandem_sources::open(path.to_str().unwrap(), &FetchOptions::from_env())
        .err()
        .unwrap();
    assert!(e.to_string().contains("column `tags`"), "{e}");
}
