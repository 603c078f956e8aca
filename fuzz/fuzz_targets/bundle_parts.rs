//! Fuzz target `bundle_parts`: see `tandem_fuzz_targets::bundle_parts`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem_fuzz_targets::bundle_parts(data));
