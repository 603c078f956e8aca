//! The folder store against a hostile or damaged folder: links out of the store, corrupt
//! registry files, counters at their maximum, temporaries left by killed processes, and
//! bundles replaced after registration.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use super::tests::{registry, store};
use crate::uri::ModelUri;
use crate::{Status, Store, StoreConfig};

/// A folder outside any store, removed with the test's store.
fn outside(dir: &Path) -> PathBuf {
    let o = dir.with_extension("outside");
    fs::create_dir_all(&o).unwrap();
    o
}

fn cleanup(dir: &Path) {
    let _ = fs::remove_dir_all(dir.with_extension("outside"));
    fs::remove_dir_all(dir).unwrap();
}

fn finished_run(s: &super::LocalStore) -> String {
    let e = s.experiment("Default").unwrap();
    let id = s.create_run(&e, "r", &[]).unwrap();
    s.put_artifact(&id, "model/model.tandem", b"bundle")
        .unwrap();
    s.end_run(&id, Status::Finished).unwrap();
    id
}

#[test]
fn a_run_folder_linked_out_of_the_store_is_refused() {
    let (dir, s) = store();
    let id = finished_run(&s);
    let elsewhere = outside(&dir).join(&id);
    fs::rename(s.run_dir(&id), &elsewhere).unwrap();
    symlink(&elsewhere, s.run_dir(&id)).unwrap();
    let e = s.run(&id).unwrap_err();
    assert_eq!(e.code(), "OUTSIDE_STORE");
    assert!(
        e.to_string()
            .contains("the store does not follow links out of its folder"),
        "{e}"
    );
    let e = s.get_artifact(&id, "model/model.tandem").unwrap_err();
    assert_eq!(e.code(), "OUTSIDE_STORE");
    // The listing goes on without it.
    assert!(s.runs(None, 10).unwrap().is_empty());
    cleanup(&dir);
}

#[test]
fn an_artifact_linked_out_of_the_store_is_neither_read_nor_written() {
    let (dir, s) = store();
    let e = s.experiment("Default").unwrap();
    let id = s.create_run(&e, "r", &[]).unwrap();
    let secret = outside(&dir).join("secret");
    fs::write(&secret, "do not touch").unwrap();
    fs::create_dir_all(s.run_dir(&id).join("artifacts/model")).unwrap();
    symlink(&secret, s.run_dir(&id).join("artifacts/model/model.tandem")).unwrap();
    for e in [
        s.get_artifact(&id, "model/model.tandem").unwrap_err(),
        s.put_artifact(&id, "model/model.tandem", b"x").unwrap_err(),
    ] {
        assert_eq!(e.code(), "OUTSIDE_STORE", "{e}");
    }
    // A folder linked out: nothing is created through it.
    symlink(outside(&dir), s.run_dir(&id).join("artifacts/plots")).unwrap();
    let e = s.put_artifact(&id, "plots/deep/a.png", b"x").unwrap_err();
    assert_eq!(e.code(), "OUTSIDE_STORE");
    assert!(!outside(&dir).join("deep").exists());
    assert_eq!(fs::read_to_string(&secret).unwrap(), "do not touch");
    cleanup(&dir);
}

#[test]
fn a_dangling_link_is_refused_and_a_link_inside_the_store_is_followed() {
    let (dir, s) = store();
    let e = s.experiment("Default").unwrap();
    let id = s.create_run(&e, "r", &[]).unwrap();
    let art = s.run_dir(&id).join("artifacts");
    fs::create_dir_all(&art).unwrap();
    let target = outside(&dir).join("created-by-a-write");
    symlink(&target, art.join("dangling")).unwrap();
    let e = s.put_artifact(&id, "dangling", b"x").unwrap_err();
    assert_eq!(e.code(), "OUTSIDE_STORE");
    assert!(!target.exists());
    s.put_artifact(&id, "real/a.txt", b"inside").unwrap();
    symlink(art.join("real"), art.join("alias")).unwrap();
    assert_eq!(s.get_artifact(&id, "alias/a.txt").unwrap(), b"inside");
    cleanup(&dir);
}

#[test]
fn a_model_folder_or_version_file_linked_out_is_refused_and_skipped_in_the_listing() {
    let (dir, s) = registry();
    // A version file of titanic pointing out of the store.
    let forged = outside(&dir).join("2.json");
    let v1 = dir.join("models/titanic/1.json");
    fs::copy(&v1, &forged).unwrap();
    symlink(&forged, dir.join("models/titanic/2.json")).unwrap();
    let e = s.version("titanic", 1).unwrap_err();
    assert_eq!(e.code(), "OUTSIDE_STORE");
    let e = ModelUri::parse("models:/titanic/1")
        .unwrap()
        .resolve(&config(&dir))
        .err()
        .unwrap();
    assert_eq!(e.code(), "OUTSIDE_STORE");
    // A whole model folder linked out.
    let evil = outside(&dir).join("evil");
    fs::create_dir_all(&evil).unwrap();
    fs::copy(
        dir.join("models/titanic/model.json"),
        evil.join("model.json"),
    )
    .unwrap();
    symlink(&evil, dir.join("models/evil")).unwrap();
    fs::remove_file(dir.join("models/titanic/2.json")).unwrap();
    let listing = s.models().unwrap();
    assert_eq!(listing.models.len(), 1);
    assert_eq!(listing.models[0].name, "titanic");
    assert_eq!(listing.skipped.len(), 1);
    assert_eq!(listing.skipped[0].0, "evil");
    assert_eq!(listing.skipped[0].1.code(), "OUTSIDE_STORE");
    cleanup(&dir);
}

fn config(dir: &Path) -> StoreConfig {
    StoreConfig {
        tracking_uri: None,
        runs_dir: dir.to_path_buf(),
    }
}

#[test]
fn a_corrupt_registry_file_is_skipped_in_the_listing_and_named_when_asked_for() {
    let (dir, s) = registry();
    let id = s.versions_of("titanic").unwrap()[0].run_id.clone();
    s.register("other", &id, "model").unwrap();
    let broken = dir.join("models/titanic/1.json");
    fs::write(&broken, "{\"name\": \"tita").unwrap();
    let listing = s.models().unwrap();
    let names: Vec<&str> = listing.models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["other"]);
    let (name, error) = &listing.skipped[0];
    assert_eq!((name.as_str(), error.code()), ("titanic", "STORE_CORRUPT"));
    let e = s.version("titanic", 1).unwrap_err();
    let text = crate::error::report(&e);
    assert!(
        text.starts_with(&format!("store file {} is not valid: ", broken.display())),
        "{text}"
    );
    cleanup(&dir);
}

#[test]
fn an_experiment_id_at_its_maximum_is_an_error_not_a_wrap() {
    let (dir, s) = store();
    s.experiment("first").unwrap();
    let max = i64::MAX.to_string();
    fs::write(
        dir.join(format!("experiments/{max}.json")),
        format!(r#"{{"experiment_id": "{max}", "name": "last"}}"#),
    )
    .unwrap();
    let e = s.experiment("one-more").unwrap_err();
    assert_eq!(e.code(), "STORE_COUNTER_EXHAUSTED");
    assert!(
        e.to_string()
            .contains(&format!("the highest is already {max}")),
        "{e}"
    );
    // Existing experiments still resolve.
    assert_eq!(s.experiment("last").unwrap().experiment_id, max);
    cleanup(&dir);
}

#[test]
fn a_version_number_at_its_maximum_is_an_error_not_a_wrap() {
    let (dir, s) = registry();
    let v1 = dir.join("models/titanic/1.json");
    fs::copy(&v1, dir.join(format!("models/titanic/{}.json", u64::MAX))).unwrap();
    let id = s.version("titanic", 1).unwrap().run_id;
    let e = s.register("titanic", &id, "model").unwrap_err();
    assert_eq!(e.code(), "STORE_COUNTER_EXHAUSTED");
    assert!(e.to_string().contains("version of model `titanic`"), "{e}");
    assert_eq!(s.latest_version("titanic").unwrap().version, u64::MAX);
    cleanup(&dir);
}

#[test]
fn temporaries_of_a_killed_process_are_ignored_then_removed() {
    let (dir, s) = registry();
    let stale = [
        dir.join("models/titanic/.model.json.tmp-4242-0"),
        dir.join("models/titanic/.2.json.tmp-4242-1"),
        dir.join("experiments/.7.json.tmp-4242-2"),
    ];
    for t in &stale {
        fs::write(t, "{\"half\": ").unwrap();
    }
    assert_eq!(s.models().unwrap().models[0].versions.len(), 1);
    assert!(s.models().unwrap().skipped.is_empty());
    assert_eq!(s.experiments().unwrap().len(), 1);
    let id = s.version("titanic", 1).unwrap().run_id;
    assert_eq!(s.register("titanic", &id, "model").unwrap().version, 2);
    for t in &stale {
        assert!(!t.exists(), "{} is still there", t.display());
    }
    cleanup(&dir);
}

#[test]
fn a_registered_bundle_replaced_afterwards_is_refused_by_models_uris() {
    let (dir, s) = registry();
    let v = s.version("titanic", 1).unwrap();
    assert_eq!(
        v.bundle_sha256.as_deref(),
        Some(crate::ids::sha256_hex(b"bundle").as_str())
    );
    let uri = ModelUri::parse("models:/titanic/1").unwrap();
    assert_eq!(uri.resolve(&config(&dir)).unwrap().bytes, b"bundle");
    fs::write(
        s.artifact_file(&v.run_id, "model/model.tandem").unwrap(),
        b"another bundle",
    )
    .unwrap();
    let e = uri.resolve(&config(&dir)).err().unwrap();
    assert_eq!(e.code(), "BUNDLE_TAMPERED");
    assert!(
        e.to_string()
            .starts_with("the bundle of models:/titanic/1 is not the one registered"),
        "{e}"
    );
    s.set_alias("titanic", "champion", 1).unwrap();
    let alias = ModelUri::parse("models:/titanic@champion").unwrap();
    assert_eq!(
        alias.resolve(&config(&dir)).err().unwrap().code(),
        "BUNDLE_TAMPERED"
    );
    cleanup(&dir);
}

#[test]
fn a_version_registered_before_hashes_were_recorded_still_resolves() {
    let (dir, s) = registry();
    let file = dir.join("models/titanic/1.json");
    let mut json: serde_json::Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
    json.as_object_mut()
        .unwrap()
        .remove("bundle_sha256")
        .unwrap();
    fs::write(&file, json.to_string()).unwrap();
    assert_eq!(s.version("titanic", 1).unwrap().bundle_sha256, None);
    let found = ModelUri::parse("models:/titanic/latest")
        .unwrap()
        .resolve(&config(&dir))
        .unwrap();
    assert_eq!(found.bytes, b"bundle");
    cleanup(&dir);
}

#[test]
fn new_folders_are_created_with_their_parents_and_a_file_in_the_way_is_an_io_error() {
    let (dir, s) = store();
    let deep = dir.join("a/b/c");
    super::files::create_dirs(&deep).unwrap();
    assert!(deep.is_dir());
    // Again: nothing to create, no error.
    super::files::create_dirs(&deep).unwrap();
    fs::write(dir.join("a/file"), b"x").unwrap();
    let e = super::files::create_dirs(&dir.join("a/file/d")).unwrap_err();
    assert_eq!(e.code(), "IO", "{e}");
    drop(s);
    cleanup(&dir);
}
