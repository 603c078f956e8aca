//! The gate in front of tract: `model.nnef.tar` is walked here, against the bundle limits,
//! before tract's NNEF loader sees a byte of it.
//!
//! tract's loader has no size or depth limits of its own: it gunzips what looks compressed
//! and reads it to a string without a cap, loads nested archives, its graph parser recurses
//! without a depth limit, and a tensor header can ask for gigabytes. So this walk accepts only
//! what Tandem writes, with every size checked against the bytes actually present:
//! - a plain tar (no gzip, no PAX or GNU long-name records, no nested archives), whose entries
//!   fit in the part (`nnef_entries`);
//! - `graph.nnef`: UTF-8 text within `nnef_graph_bytes`, then its nesting, operators,
//!   statements, names assigned once and foreign operations ([`super::nnef_graph`]);
//! - `.dat` tensors of rank at most 8 and a plain numeric type, whose shape × item size is the
//!   byte size the header declares, equals the bytes present, and stays within `tensor_bytes`.
//!
//! Entries tract ignores (any path component starting with `.`) are walked but not read.

use crate::Error;
use crate::bundle::{Limit, Limits};
use crate::error::BundleError;

const BLOCK: usize = 512;
const TENSOR_HEADER: usize = 128;
const PART: &str = crate::bundle::parts::NNEF;

fn invalid(reason: String) -> Error {
    BundleError::Invalid {
        part: PART.into(),
        reason,
    }
    .into()
}

/// Check an NNEF tar against `limits` before tract reads it.
pub fn check_nnef(tar: &[u8], limits: &Limits) -> Result<(), Error> {
    if tar.starts_with(&[0x1f, 0x8b]) {
        return Err(invalid(
            "the NNEF archive is gzip-compressed: Tandem reads plain tar only (a compressed \
             graph could expand without bound)"
                .into(),
        ));
    }
    let mut at = 0usize;
    let mut entries = 0u64;
    while at < tar.len() {
        let header = tar
            .get(at..at + BLOCK)
            .ok_or_else(|| invalid(format!("tar header at byte {at} is truncated")))?;
        if header.iter().all(|&b| b == 0) {
            break;
        }
        entries += 1;
        limits.check(Limit::NnefEntries, entries, PART)?;
        let (name, size) = entry_header(header, at)?;
        let data_at = at + BLOCK;
        let data = data_at
            .checked_add(size)
            .and_then(|end| tar.get(data_at..end))
            .ok_or_else(|| {
                invalid(format!(
                    "tar entry `{name}` claims {size} bytes, only {} remain",
                    tar.len() - data_at
                ))
            })?;
        check_entry(&name, data, limits)?;
        at = data_at + size.div_ceil(BLOCK) * BLOCK;
    }
    Ok(())
}

/// The name and size of a regular file or directory entry; any other kind is refused.
fn entry_header(header: &[u8], at: usize) -> Result<(String, usize), Error> {
    let text = |range: std::ops::Range<usize>| {
        let field = &header[range];
        let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
        String::from_utf8_lossy(&field[..end]).into_owned()
    };
    let mut name = text(0..100);
    // POSIX ustar ("ustar\0"), not GNU ("ustar "), has a path prefix.
    if &header[257..263] == b"ustar\0" {
        let prefix = text(345..500);
        if !prefix.is_empty() {
            name = format!("{prefix}/{name}");
        }
    }
    let size_text = text(124..136);
    let size = usize::from_str_radix(size_text.trim(), 8)
        .map_err(|_| invalid(format!("tar entry `{name}` has an unreadable size field")))?;
    match header[156] {
        b'0' | 0 => Ok((name, size)),
        b'5' if size == 0 => Ok((name, size)),
        kind => Err(invalid(format!(
            "tar entry `{name}` at byte {at} is of kind {:?}, not a plain file",
            char::from(kind)
        ))),
    }
}

fn check_entry(name: &str, data: &[u8], limits: &Limits) -> Result<(), Error> {
    let path = name.strip_prefix("./").unwrap_or(name);
    if path.ends_with('/') || path.split('/').any(|c| c.starts_with('.')) {
        // A directory, or a path tract skips.
        return Ok(());
    }
    let part = format!("{PART}: {path}");
    if path == "graph.nnef" {
        limits.check(Limit::NnefGraphBytes, data.len() as u64, &part)?;
        let text = std::str::from_utf8(data)
            .map_err(|_| invalid("graph.nnef is not UTF-8 text".into()))?;
        return super::nnef_graph::check_graph(text, limits, &part);
    }
    if path.ends_with(".dat") {
        return check_tensor(data, limits, &part);
    }
    Err(invalid(format!(
        "unexpected entry `{path}` (an NNEF graph of Tandem's holds graph.nnef and .dat tensors)"
    )))
}

/// A `.dat` tensor: its declared size, checked against the limit, the header and the bytes.
fn check_tensor(data: &[u8], limits: &Limits, part: &str) -> Result<(), Error> {
    let header = data
        .get(..TENSOR_HEADER)
        .ok_or_else(|| invalid(format!("{part} is shorter than a tensor header")))?;
    let u32_at = |at: usize| {
        u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let u16_at = |at: usize| u16::from_le_bytes([header[at], header[at + 1]]);
    if header[..2] != [0x4e, 0xef] || header[2] != 1 {
        return Err(invalid(format!("{part} has no NNEF tensor header")));
    }
    let rank = u32_at(8) as usize;
    if rank > 8 {
        return Err(invalid(format!("{part} has rank {rank}, more than 8")));
    }
    let (bits, kind, vendor) = (u32_at(44), u16_at(48), u16_at(50));
    if vendor != 0 || kind > 4 || !matches!(bits, 8 | 16 | 32 | 64) {
        return Err(invalid(format!(
            "{part} has item type {kind} of {bits} bits (vendor {vendor}): only plain numbers are read"
        )));
    }
    let items = (0..rank).fold(1u64, |n, d| n.saturating_mul(u64::from(u32_at(12 + 4 * d))));
    let declared = items.saturating_mul(u64::from(bits / 8));
    limits.check(Limit::TensorBytes, declared, part)?;
    let stated = u64::from(u32_at(4));
    let present = (data.len() - TENSOR_HEADER) as u64;
    if declared != stated || stated != present {
        return Err(invalid(format!(
            "{part}: its shape needs {declared} bytes, its header says {stated}, {present} are present"
        )));
    }
    Ok(())
}
