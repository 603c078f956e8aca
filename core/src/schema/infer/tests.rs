use super::*;
use crate::schema::FieldType;

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn infers_types_and_task() {
    let header = s(&["age", "sex", "name", "alive", "y"]);
    let mut rows = Vec::new();
    for i in 0..20 {
        rows.push(s(&[
            if i == 3 { "" } else { "29.5" },
            if i % 2 == 0 { "male" } else { "female" },
            &format!("Person {i}"),
            if i % 3 == 0 { "yes" } else { "no" },
            if i % 2 == 0 { "a" } else { "b" },
        ]));
    }
    let schema = infer_schema(&header, &rows, "y", &InferConfig::default()).unwrap();
    assert_eq!(schema.fields[0].kind, FieldType::Number);
    assert!(schema.fields[0].nullable);
    assert_eq!(schema.fields[1].kind, FieldType::Category);
    assert!(!schema.fields[1].nullable);
    assert_eq!(schema.fields[2].kind, FieldType::Text);
    assert_eq!(schema.fields[3].kind, FieldType::Boolean);
    assert_eq!(
        schema.label.task,
        Task::Classification {
            classes: s(&["a", "b"])
        }
    );
}

#[test]
fn missing_label_column_is_an_error() {
    let err = infer_schema(&s(&["a"]), &[], "y", &InferConfig::default()).unwrap_err();
    assert_eq!(err.code(), "SCHEMA");
}

fn column_of(cells: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
    let rows = cells.iter().map(|c| s(&[c])).collect();
    (s(&["x"]), rows)
}

#[test]
fn a_number_column_with_missing_markers_stays_a_number() {
    let config = InferConfig {
        read: ReadOptions {
            na_values: s(&["?", "-"]),
            ..ReadOptions::default()
        },
        ..InferConfig::default()
    };
    let cells = [
        "1.5", "?", "NaN", "n/a", "-", "#N/A", "2", "", "nan", "NULL", "<NA>",
    ];
    let (header, rows) = column_of(&cells);
    let fields = infer_fields(&header, &rows, &config).unwrap();
    assert_eq!(fields[0].kind, FieldType::Number);
    assert!(fields[0].nullable);
    assert_eq!((fields[0].min, fields[0].max), (Some(1.5), Some(2.0)));
    let plain = infer_fields(&header, &rows, &InferConfig::default()).unwrap();
    assert_ne!(
        plain[0].kind,
        FieldType::Number,
        "`?` is text without na_values"
    );
}

#[test]
fn a_number_column_with_thousands_separators_stays_a_number() {
    let (header, rows) = column_of(&["1,234,567", "12", "3,000.5"]);
    let config = InferConfig {
        read: ReadOptions {
            thousands: Some(','),
            ..ReadOptions::default()
        },
        ..InferConfig::default()
    };
    let f = &infer_fields(&header, &rows, &config).unwrap()[0];
    assert_eq!(f.kind, FieldType::Number);
    assert_eq!((f.min, f.max), (Some(12.0), Some(1_234_567.0)));
}

#[test]
fn iso_dates_are_text_fields_the_pipeline_reads_as_dates() {
    for (cells, format) in [
        (["2024-01-05", "2023-12-31"], "%Y-%m-%d"),
        (["2024-01-05 10:30", "2023-12-31 00:00"], "%Y-%m-%d %H:%M"),
        (
            ["2024-01-05T10:30:00Z", "2023-12-31T00:00:00+02:00"],
            "%Y-%m-%dT%H:%M:%S%z",
        ),
    ] {
        let (header, rows) = column_of(&cells);
        let f = &infer_fields(&header, &rows, &InferConfig::default()).unwrap()[0];
        assert_eq!(f.kind, FieldType::Text, "{cells:?}");
        let dates = infer_dates(&header, &rows, &ReadOptions::default());
        assert_eq!(dates.get("x").copied(), Some(format), "{cells:?}");
    }
    let (header, rows) = column_of(&["2024-01-05", "soon"]);
    assert!(infer_dates(&header, &rows, &ReadOptions::default()).is_empty());
}

fn task_of(cells: &[String], task: Option<TaskKind>) -> Result<Task, Error> {
    let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
    let config = InferConfig {
        task,
        ..InferConfig::default()
    };
    infer_task("y", &cells, &config)
}

#[test]
fn a_numeric_label_with_fractions_is_a_regression_even_with_few_values() {
    let cells: Vec<String> = (0..100).map(|i| format!("{}.5", i % 5)).collect();
    assert_eq!(task_of(&cells, None).unwrap(), Task::Regression);
}

#[test]
fn a_whole_number_label_with_many_values_per_row_is_a_regression() {
    let cells: Vec<String> = (0..30).map(|i| (i % 15).to_string()).collect();
    assert_eq!(task_of(&cells, None).unwrap(), Task::Regression);
    let cells: Vec<String> = (0..300).map(|i| (i % 30).to_string()).collect();
    assert_eq!(task_of(&cells, None).unwrap(), Task::Regression);
}

#[test]
fn a_small_set_of_whole_numbers_or_strings_is_a_classification() {
    let cells: Vec<String> = (0..30).map(|i| (i % 3).to_string()).collect();
    let Task::Classification { classes } = task_of(&cells, None).unwrap() else {
        panic!("0/1/2 is a classification");
    };
    assert_eq!(classes, s(&["0", "1", "2"]));
    let words: Vec<String> = (0..4).map(|i| format!("w{i}")).collect();
    assert!(matches!(
        task_of(&words, None).unwrap(),
        Task::Classification { .. }
    ));
}

#[test]
fn the_task_can_be_forced_either_way() {
    let cells: Vec<String> = (0..30).map(|i| (i % 3).to_string()).collect();
    let forced = task_of(&cells, Some(TaskKind::Regression)).unwrap();
    assert_eq!(forced, Task::Regression);
    let floats: Vec<String> = (0..30).map(|i| format!("{i}.5")).collect();
    let forced = task_of(&floats, Some(TaskKind::Classification)).unwrap();
    assert!(matches!(forced, Task::Classification { classes } if classes.len() == 30));
    let words = s(&["a", "b"]);
    let e = task_of(&words, Some(TaskKind::Regression)).unwrap_err();
    assert!(e.to_string().contains("\"a\" is not a number"), "{e}");
}
