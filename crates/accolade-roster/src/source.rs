//! Getting the bytes of a OneRoster export out of a folder or a zip archive, safely.

use std::fs;
use std::io::{self, Cursor, Read};
use std::path::Path;

use zip::ZipArchive;

use crate::oneroster::{ExportFiles, REQUIRED_FILES};
use crate::{RosterError, MAX_FILE_BYTES, MAX_TOTAL_BYTES, MAX_ZIP_ENTRIES};

const MIB: u64 = 1024 * 1024;

fn io_error(path: &Path, source: io::Error) -> RosterError {
    RosterError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Reads a file, refusing (as [`RosterError::Io`] with `InvalidData`) one larger than `limit`.
pub(crate) fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, RosterError> {
    let file = fs::File::open(path).map_err(|e| io_error(path, e))?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(io_error(
            path,
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the file is larger than {} MiB", limit / MIB),
            ),
        ));
    }
    Ok(bytes)
}

/// Index of `name` in [`REQUIRED_FILES`], compared case-insensitively.
fn required_slot(name: &str) -> Option<usize> {
    REQUIRED_FILES
        .iter()
        .position(|f| f.eq_ignore_ascii_case(name))
}

/// Turns the four optional slots into files, or reports the first missing one.
fn complete(found: [Option<Vec<u8>>; 4], ignored: Vec<String>) -> Result<ExportFiles, RosterError> {
    let mut files: [Vec<u8>; 4] = Default::default();
    for (i, slot) in found.into_iter().enumerate() {
        files[i] = slot.ok_or_else(|| RosterError::MissingFile(REQUIRED_FILES[i].to_owned()))?;
    }
    Ok(ExportFiles { files, ignored })
}

/// Reads an export folder: the four required files by name (case-insensitive); every other
/// regular, non-hidden file is listed as ignored. Sub-folders are not searched.
pub(crate) fn export_from_dir(dir: &Path) -> Result<ExportFiles, RosterError> {
    let mut paths: [Option<std::path::PathBuf>; 4] = Default::default();
    let mut ignored = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| io_error(dir, e))? {
        let entry = entry.map_err(|e| io_error(dir, e))?;
        let path = entry.path();
        let meta = fs::metadata(&path).map_err(|e| io_error(&path, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !meta.is_file() || name.starts_with('.') {
            continue;
        }
        match required_slot(&name) {
            Some(i) if paths[i].is_some() => {
                return Err(RosterError::UnknownFormat(format!(
                    "the folder {} holds more than one {} (names differing only in case)",
                    dir.display(),
                    REQUIRED_FILES[i]
                )));
            }
            Some(i) => paths[i] = Some(path),
            None => ignored.push(name),
        }
    }
    let mut found: [Option<Vec<u8>>; 4] = Default::default();
    let mut total: u64 = 0;
    for (i, path) in paths.iter().enumerate() {
        if let Some(path) = path {
            let bytes = read_capped(path, MAX_FILE_BYTES)?;
            total = total.saturating_add(bytes.len() as u64);
            if total > MAX_TOTAL_BYTES {
                return Err(io_error(
                    dir,
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("the export is larger than {} MiB", MAX_TOTAL_BYTES / MIB),
                    ),
                ));
            }
            found[i] = Some(bytes);
        }
    }
    complete(found, ignored)
}

/// Reads an export from zip bytes. The four files are found by file name anywhere in the
/// archive (e.g. inside `export-2026/`); directory entries, `__MACOSX/` and hidden files are
/// skipped. Limits: [`MAX_ZIP_ENTRIES`] entries, [`MAX_FILE_BYTES`] per entry and
/// [`MAX_TOTAL_BYTES`] in total, checked on the declared sizes and on the bytes actually read.
pub(crate) fn export_from_zip(bytes: &[u8]) -> Result<ExportFiles, RosterError> {
    let zip_err = RosterError::Zip;
    let mut archive = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| zip_err(format!("it is not a readable zip archive ({e})")))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(zip_err(format!(
            "it has {} entries; at most {MAX_ZIP_ENTRIES} are allowed",
            archive.len()
        )));
    }
    let mut slots: [Option<(usize, String)>; 4] = Default::default();
    let mut ignored = Vec::new();
    let mut declared_total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| zip_err(format!("entry {} cannot be read ({e})", index + 1)))?;
        if entry.is_dir() {
            continue;
        }
        let full_name = entry.name().replace('\\', "/");
        if full_name.split('/').any(|part| part == "__MACOSX") {
            continue;
        }
        let base = full_name.rsplit('/').next().unwrap_or_default().to_owned();
        if base.is_empty() || base.starts_with('.') {
            continue;
        }
        let size = entry.size();
        if size > MAX_FILE_BYTES {
            return Err(zip_err(format!(
                "{full_name} unpacks to {} MiB; at most {} MiB per file are allowed",
                size / MIB,
                MAX_FILE_BYTES / MIB
            )));
        }
        declared_total = declared_total.saturating_add(size);
        if declared_total > MAX_TOTAL_BYTES {
            return Err(zip_err(format!(
                "it unpacks to more than {} MiB",
                MAX_TOTAL_BYTES / MIB
            )));
        }
        match required_slot(&base) {
            Some(i) => {
                if let Some((_, earlier)) = &slots[i] {
                    return Err(zip_err(format!(
                        "it holds more than one {} ({earlier} and {full_name}); zip one export \
                         at a time",
                        REQUIRED_FILES[i]
                    )));
                }
                slots[i] = Some((index, full_name));
            }
            None => ignored.push(base),
        }
    }

    let mut found: [Option<Vec<u8>>; 4] = Default::default();
    let mut actual_total: u64 = 0;
    for (i, slot) in slots.iter().enumerate() {
        let Some((index, name)) = slot else { continue };
        let entry = archive
            .by_index(*index)
            .map_err(|e| zip_err(format!("{name} cannot be unpacked ({e})")))?;
        let mut data = Vec::new();
        entry
            .take(MAX_FILE_BYTES.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| zip_err(format!("{name} cannot be unpacked ({e})")))?;
        let len = data.len() as u64;
        if len > MAX_FILE_BYTES {
            return Err(zip_err(format!(
                "{name} unpacks to more than {} MiB",
                MAX_FILE_BYTES / MIB
            )));
        }
        actual_total = actual_total.saturating_add(len);
        if actual_total > MAX_TOTAL_BYTES {
            return Err(zip_err(format!(
                "it unpacks to more than {} MiB",
                MAX_TOTAL_BYTES / MIB
            )));
        }
        found[i] = Some(data);
    }
    complete(found, ignored)
}
