//! Fuzz target `pipeline_spec`: see `tandem_fuzz_targets::pipeline_spec`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem_fuzz_targets::pipeline_spec(data));
