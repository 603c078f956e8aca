//! Fuzz target `expression`: see `tandem_fuzz_targets::expression`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem_fuzz_targets::expression(data));
