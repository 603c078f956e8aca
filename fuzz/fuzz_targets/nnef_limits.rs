//! Fuzz target `nnef_limits`: see `tandem_fuzz_targets::nnef_limits`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem_fuzz_targets::nnef_limits(data));
