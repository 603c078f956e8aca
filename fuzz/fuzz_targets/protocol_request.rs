//! Fuzz target `protocol_request`: see `tandem_fuzz_targets::protocol_request`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem_fuzz_targets::protocol_request(data));
