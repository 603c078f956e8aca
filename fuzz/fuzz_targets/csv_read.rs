//! Fuzz target `csv_read`: see `tandem_fuzz_targets::csv_read`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem_fuzz_targets::csv_read(data));
