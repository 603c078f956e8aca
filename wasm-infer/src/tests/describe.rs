//! What a loaded model tells about itself: engine, schema, metadata, runtime version.

use wasm_bindgen_test::wasm_bindgen_test;

use super::{GOLDEN, load};

#[cfg(feature = "full")]
#[wasm_bindgen_test]
fn the_golden_bundle_loads_and_runs_on_tract_for_lack_of_a_dense_part() {
    let model = load(GOLDEN, None).unwrap();
    assert_eq!(model.engine(), "tract");
    let chosen = load(GOLDEN, Some("tract")).unwrap();
    assert_eq!(chosen.engine(), "tract");
}

#[cfg(not(feature = "full"))]
#[wasm_bindgen_test]
fn the_default_build_refuses_a_bundle_without_a_dense_part_with_an_engine_error() {
    super::thrown(load(GOLDEN, None), "ENGINE", None);
}

#[cfg(feature = "full")]
#[wasm_bindgen_test]
fn schema_and_metadata_are_the_bundles_own_as_plain_objects() {
    use super::{js, json};
    // The bundle's parts as JSON.parse would give them: 80.0 and 80 are the same JS number.
    let as_js = |text: String| json(&js(&text));
    let bundle = tandem_core::Bundle::from_bytes(GOLDEN).unwrap();
    let model = load(GOLDEN, None).unwrap();
    // The bundle's schema, except that whether a field accepts a missing value follows its
    // node (every node here imputes), not whether training saw gaps.
    let mut schema = bundle.schema.clone();
    for f in &mut schema.fields {
        f.nullable = true;
    }
    assert_eq!(
        json(&model.schema().unwrap()),
        as_js(serde_json::to_string(&schema).unwrap())
    );
    assert_eq!(
        json(&model.metadata().unwrap()),
        as_js(serde_json::to_string(&bundle.metadata).unwrap())
    );
    let fields = json(&model.schema().unwrap())["fields"].clone();
    let names: Vec<&str> = fields
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    let first = &super::expected()["instances"][0];
    let mut keys: Vec<&str> = first.as_object().unwrap().keys().map(|k| &**k).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    keys.sort_unstable();
    assert_eq!(
        sorted, keys,
        "the fixture's instances have exactly the schema's fields"
    );
}

#[wasm_bindgen_test]
fn the_runtime_version_is_the_cores() {
    assert_eq!(crate::version(), tandem_core::VERSION);
    assert!(crate::memory_bytes() >= 65536.0);
}
