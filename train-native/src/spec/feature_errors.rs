//! One test per way a `[[feature]]` table is rejected: each asserts the message and where it
//! points (`file:line:column` and the width of the caret).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use tandem_core::prep::limits::{MAX_DATETIME_PARTS, MAX_HASH_BUCKETS};
use tandem_core::prep::{ColumnInput, EncodeConfig, TextOp};
use tandem_core::schema::{Field, FieldType, Label, Schema, Task};

use super::{LoadedSpec, features};

/// Four lines: the features start on line 5.
const HEAD: &str = "version = 1\n[data]\npath = \"d.csv\"\nlabel = \"survived\"\n";

fn schema() -> Schema {
    let f = |name: &str, kind| Field::new(name, kind, true);
    Schema {
        fields: vec![
            f("name", FieldType::Text),
            f("sex", FieldType::Category),
            f("age", FieldType::Number),
            f("fare", FieldType::Number),
            f("sibsp", FieldType::Integer),
            f("when", FieldType::Text),
        ],
        label: Label {
            name: "survived".into(),
            task: Task::Classification {
                classes: vec!["no".into(), "yes".into()],
            },
        },
    }
}

fn compile(features: &str) -> Result<Vec<tandem_core::prep::ColumnConfig>, super::SpecError> {
    let source = format!("{HEAD}{features}");
    let path = Path::new("t.toml");
    let file = LoadedSpec::parse(path, &source).unwrap();
    let spec = LoadedSpec {
        path: path.to_path_buf(),
        source,
        file,
    };
    features::compile(&spec, &schema())
}

/// The error of one `[[feature]]` table with `body` (its keys start on line 6).
fn err(body: &str) -> String {
    format!(
        "{:#}",
        compile(&format!("[[feature]]\n{body}")).unwrap_err()
    )
}

/// Assert `e` is `t.toml:<line>:<column>: feature 1: <msg>` with a caret `width` wide.
#[track_caller]
fn assert_at(e: &str, line: usize, column: usize, width: usize, msg: &str) {
    let head = format!("t.toml:{line}:{column}: feature 1: {msg}");
    assert!(e.starts_with(&head), "wanted: {head}\ngot: {e}");
    let carets = e.lines().last().unwrap_or_default();
    assert_eq!(carets.matches('^').count(), width, "caret width in\n{e}");
    assert_eq!(
        carets.find('^'),
        Some(6 + column - 1),
        "caret position in\n{e}"
    );
}

#[test]
fn a_full_declaration_compiles_to_core_columns() {
    let cols = compile(
        "[[feature]]\nname = \"title\"\nfield = \"name\"\ntrim = true\nextract = ',\\s*([^.]+)\\.'\nencode = \"one_hot\"\n\
         [[feature]]\nname = \"per_person\"\nexpr = \"fare / (sibsp + 1)\"\n\
         [[feature]]\nfield = \"when\"\nencode = \"datetime\"\nformat = \"%Y-%m-%d\"\n",
    )
    .unwrap();
    assert_eq!(cols.len(), 3);
    assert!(matches!(
        &cols[0].text[..],
        [TextOp::Trim, TextOp::Extract { group: 1, .. }]
    ));
    assert_eq!(
        cols[1].input,
        ColumnInput::Expr("fare / (sibsp + 1)".into())
    );
    assert!(matches!(&cols[2].encode, EncodeConfig::Datetime { parts, .. } if parts.len() == 3));
}

#[test]
fn field_and_expr_together_point_at_expr() {
    let e = err("field = \"age\"\nexpr = \"age * 2\"\n");
    assert_at(&e, 7, 8, 9, "set either `field` or `expr`, not both");
}

#[test]
fn a_table_with_neither_field_nor_expr_points_at_the_table() {
    let e = err("name = \"x\"\n");
    assert!(
        e.starts_with("t.toml:5:1: feature 1: needs a `field` or an `expr`"),
        "{e}"
    );
}

#[test]
fn an_expr_without_a_name_points_at_expr() {
    let e = err("expr = \"age * 2\"\n");
    assert_at(&e, 6, 8, 9, "an `expr` feature needs a `name`");
}

#[test]
fn a_field_the_schema_lacks_lists_the_fields() {
    let e = err("field = \"agee\"\n");
    assert_at(
        &e,
        6,
        9,
        6,
        "field `agee` is not in the schema (fields: name, sex, age, fare, sibsp, when)",
    );
}

#[test]
fn a_feature_reading_the_label_fails_the_export_check() {
    let e = err("field = \"survived\"\n");
    assert_at(
        &e,
        6,
        9,
        10,
        "reads `survived`, the label: the inference pipeline never sees it (export check)",
    );
}

#[test]
fn an_expr_reading_the_label_points_at_the_name_inside_the_string() {
    let e = err("name = \"x\"\nexpr = \"age / survived\"\n");
    assert_at(
        &e,
        7,
        15,
        8,
        "expr reads `survived`, the label: the inference pipeline never sees it (export check)",
    );
}

#[test]
fn an_expr_reading_an_absent_field_points_at_it() {
    let e = err("name = \"x\"\nexpr = '2 * `no such`'\n");
    assert_at(
        &e,
        7,
        13,
        9,
        "expr reads `no such`, which is not in the schema",
    );
}

#[test]
fn an_expr_reading_text_points_at_the_text_field() {
    let e = err("name = \"x\"\nexpr = \"fare / name\"\n");
    assert_at(&e, 7, 16, 4, "expr reads `name`, which is not numeric");
}

#[test]
fn an_expr_that_does_not_parse_points_at_the_character() {
    let e = err("name = \"x\"\nexpr = \"age % 2\"\n");
    assert_at(&e, 7, 13, 1, "expr: unexpected `%` at character 5");
    let e = err("name = \"x\"\nexpr = \"(age + 1\"\n");
    assert_at(&e, 7, 9, 1, "expr: `(` at character 1 is never closed");
    let e = err("name = \"x\"\nexpr = \"age +\"\n");
    assert_at(
        &e,
        7,
        14,
        1,
        "expr: expression ends where a value was expected",
    );
}

#[test]
fn an_expr_written_with_escapes_is_pointed_at_as_a_whole() {
    // `\u0025` is `%`: the text differs from the file, so no position inside is exact.
    let e = err("name = \"x\"\nexpr = \"age \\u0025 2\"\n");
    assert_at(&e, 7, 8, 14, "expr: unexpected `%` at character 5");
}

#[test]
fn a_key_for_another_encoder_names_the_encoders_it_applies_to() {
    let e = err("field = \"sex\"\nbuckets = 4\n");
    assert_at(
        &e,
        7,
        11,
        1,
        "`buckets` applies to encode = \"hashing\", not \"one_hot\"",
    );
    let e = err("field = \"name\"\nmin_frequency = 3\n");
    assert_at(
        &e,
        7,
        17,
        1,
        "`min_frequency` applies to encode = \"one_hot\", not \"tfidf\"",
    );
}

#[test]
fn a_group_without_extract_points_at_group() {
    let e = err("field = \"name\"\ngroup = 2\n");
    assert_at(&e, 7, 9, 1, "`group` needs `extract`");
}

#[test]
fn a_string_stage_on_a_number_points_at_the_stage() {
    let e = err("field = \"age\"\nextract = 'x'\n");
    assert_at(&e, 7, 11, 3, "`extract` needs a text or category field");
    let e = err("field = \"age\"\ntrim = false\nlowercase = true\n");
    assert_at(&e, 8, 13, 4, "`lowercase` needs a text or category field");
    let e = err("field = \"fare\"\nboolean = true\n");
    assert_at(&e, 7, 11, 4, "`boolean` needs a text or category field");
}

#[test]
fn a_pattern_that_does_not_compile_points_at_extract() {
    let e = err("field = \"name\"\nextract = '([a-z'\n");
    assert_at(&e, 7, 11, 7, "invalid pattern \"([a-z\": ");
}

#[test]
fn a_capture_group_the_pattern_lacks_points_at_group() {
    let e = err("field = \"name\"\nextract = '(a)'\ngroup = 2\n");
    assert_at(
        &e,
        8,
        9,
        1,
        "pattern \"(a)\" has 1 capture group(s), group 2 was asked for",
    );
}

#[test]
fn constant_impute_needs_a_fill_value() {
    let e = err("field = \"age\"\nimpute = \"constant\"\n");
    assert_at(&e, 7, 10, 10, "impute = \"constant\" needs `fill_value`");
}

#[test]
fn a_fill_value_goes_with_constant_impute_only() {
    let e = err("field = \"age\"\nimpute = \"median\"\nfill_value = 3\n");
    assert_at(&e, 8, 14, 1, "`fill_value` goes with impute = \"constant\"");
}

#[test]
fn a_number_feature_needs_a_numeric_fill_value() {
    let e = err("field = \"age\"\nimpute = \"constant\"\nfill_value = \"old\"\n");
    assert_at(
        &e,
        8,
        14,
        5,
        "a number feature needs a numeric `fill_value`",
    );
}

#[test]
fn most_frequent_is_for_categories() {
    let e = err("field = \"age\"\nimpute = \"most_frequent\"\n");
    assert_at(
        &e,
        7,
        10,
        15,
        "most_frequent is for categories; numbers take mean, median or constant",
    );
}

#[test]
fn categories_take_no_mean() {
    let e = err("field = \"sex\"\nimpute = \"mean\"\n");
    assert_at(&e, 7, 10, 6, "categories take most_frequent or constant");
}

#[test]
fn scale_and_bins_exclude_each_other() {
    let e = err("field = \"age\"\nbins = 4\nscale = \"robust\"\n");
    assert_at(&e, 8, 9, 8, "`scale` and `bins` exclude each other");
}

#[test]
fn a_bin_count_out_of_bounds_points_at_bins() {
    let want = "`bins` is a count from 2 to 1000 or up to 9998 increasing finite edges";
    let e = err("field = \"age\"\nbins = 1\n");
    assert_at(&e, 7, 8, 1, want);
    let e = err("field = \"age\"\nbins = 5000\n");
    assert_at(&e, 7, 8, 4, want);
}

#[test]
fn bin_edges_must_increase() {
    let e = err("field = \"age\"\nbins = [40, 18]\n");
    assert_at(
        &e,
        7,
        8,
        8,
        "`bins` is a count from 2 to 1000 or up to 9998 increasing finite edges",
    );
}

#[test]
fn an_inverted_clip_range_points_at_clip() {
    let e = err("field = \"age\"\nclip = [10, 0]\n");
    assert_at(&e, 7, 8, 7, "`clip` is [low, high] with finite low <= high");
}

#[test]
fn a_number_encoder_on_text_asks_for_boolean_words() {
    let e = err("field = \"sex\"\nencode = \"number\"\n");
    assert_at(
        &e,
        7,
        10,
        8,
        "a text or category field needs `boolean` words to be a number",
    );
}

#[test]
fn text_encoders_on_a_number_point_at_encode() {
    let e = err("field = \"age\"\nencode = \"tfidf\"\n");
    assert_at(
        &e,
        7,
        10,
        7,
        "encode = \"tfidf\" needs a text or category field",
    );
    let e = err("field = \"sex\"\nboolean = true\nencode = \"counts\"\n");
    assert_at(
        &e,
        8,
        10,
        8,
        "encode = \"counts\" needs a text or category field",
    );
    let e = err("field = \"age\"\nencode = \"datetime\"\nformat = \"%Y\"\n");
    assert_at(
        &e,
        7,
        10,
        10,
        "encode = \"datetime\" needs a text or category field",
    );
}

#[test]
fn datetime_needs_a_format() {
    let e = err("field = \"when\"\nencode = \"datetime\"\n");
    assert_at(
        &e,
        7,
        10,
        10,
        "encode = \"datetime\" needs a `format` such as \"%Y-%m-%d\"",
    );
}

#[test]
fn datetime_parts_are_bounded() {
    let want = format!("`parts` must list between 1 and {MAX_DATETIME_PARTS} parts");
    let e = err("field = \"when\"\nencode = \"datetime\"\nformat = \"%Y\"\nparts = []\n");
    assert_at(&e, 9, 9, 2, &want);
    let many = vec!["\"year\""; MAX_DATETIME_PARTS + 1].join(",");
    let e = err(&format!(
        "field = \"when\"\nencode = \"datetime\"\nformat = \"%Y\"\nparts = [{many}]\n"
    ));
    // The caret runs to the end of the window shown of this long line.
    assert!(many.len() + 2 > super::SHOWN_LINE);
    assert_at(&e, 9, 9, super::SHOWN_LINE - 8, &want);
}

#[test]
fn hashing_buckets_are_bounded() {
    let want = format!("`buckets` must be between 1 and {MAX_HASH_BUCKETS}");
    let e = err("field = \"sex\"\nencode = \"hashing\"\nbuckets = 0\n");
    assert_at(&e, 8, 11, 1, &want);
    let e = err("field = \"sex\"\nencode = \"hashing\"\nbuckets = 2000000\n");
    assert_at(&e, 8, 11, 7, &want);
}

#[test]
fn an_expr_feature_is_a_number() {
    let e = err("name = \"x\"\nexpr = \"age * 2\"\nencode = \"one_hot\"\n");
    assert_at(
        &e,
        8,
        10,
        9,
        "an `expr` feature is a number: encode = \"number\"",
    );
}

#[test]
fn a_name_used_twice_points_at_the_second_table() {
    let e = format!(
        "{:#}",
        compile("[[feature]]\nfield = \"age\"\n[[feature]]\nfield = \"age\"\n").unwrap_err()
    );
    assert!(
        e.starts_with("t.toml:7:1: feature 2: name `age` is already used by feature 1"),
        "{e}"
    );
}
