//! Fuzz target `bundle_load`: see `tandem_fuzz_targets::bundle_load`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem_fuzz_targets::bundle_load(data));
