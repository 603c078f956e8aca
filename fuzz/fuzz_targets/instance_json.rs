//! Fuzz target `instance_json`: see `tandem_fuzz_targets::instance_json`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem_fuzz_targets::instance_json(data));
