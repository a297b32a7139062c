//! Locating the machine's PostgreSQL server binaries (never downloads anything).

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::EmbeddedPgError;

/// Environment variable that names the folder holding `initdb`, `pg_ctl` and `postgres`.
pub const BIN_ENV: &str = "LEDGER_PG_BIN";

/// The server tools a bin dir must hold.
pub(crate) const REQUIRED_TOOLS: [&str; 3] = ["initdb", "pg_ctl", "postgres"];

/// Discovery order: `LEDGER_PG_BIN`, `pg_config --bindir`, highest
/// `/usr/lib/postgresql/*/bin`, then `initdb` on `PATH` (symlinks resolved).
pub(crate) fn find_binaries() -> Result<PathBuf, EmbeddedPgError> {
    if let Some(raw) = std::env::var_os(BIN_ENV).filter(|v| !v.is_empty()) {
        // An explicit setting is never silently ignored.
        let dir = std::path::absolute(PathBuf::from(&raw)).unwrap_or_else(|_| PathBuf::from(raw));
        let missing: Vec<&str> = REQUIRED_TOOLS
            .iter()
            .copied()
            .filter(|tool| !is_executable(&dir.join(tool)))
            .collect();
        return if missing.is_empty() {
            Ok(dir)
        } else {
            Err(EmbeddedPgError::InvalidBinDir {
                dir,
                missing: missing.join(", "),
            })
        };
    }

    if let Some(dir) = pg_config_bindir().filter(|d| has_all_tools(d)) {
        return Ok(dir);
    }
    if let Some(dir) = highest_versioned_bindir(Path::new("/usr/lib/postgresql")) {
        return Ok(dir);
    }
    if let Some(dir) = initdb_on_path() {
        return Ok(dir);
    }
    Err(EmbeddedPgError::BinariesNotFound)
}

pub(crate) fn has_all_tools(dir: &Path) -> bool {
    REQUIRED_TOOLS.iter().all(|t| is_executable(&dir.join(t)))
}

pub(crate) fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn pg_config_bindir() -> Option<PathBuf> {
    let out = Command::new("pg_config")
        .arg("--bindir")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let dir = text.trim();
    (!dir.is_empty()).then(|| PathBuf::from(dir))
}

/// `<root>/<version>/bin` with the highest version that holds all tools.
pub(crate) fn highest_versioned_bindir(root: &Path) -> Option<PathBuf> {
    let mut candidates: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = parse_version(entry.file_name().to_str()?)?;
            let bin = entry.path().join("bin");
            has_all_tools(&bin).then_some((version, bin))
        })
        .collect();
    candidates.sort();
    candidates.pop().map(|(_, bin)| bin)
}

fn parse_version(name: &str) -> Option<Vec<u32>> {
    name.split('.').map(|part| part.parse().ok()).collect()
}

fn initdb_on_path() -> Option<PathBuf> {
    let initdb = which(OsStr::new("initdb"))?;
    // Debian puts a symlink in /usr/local/bin or similar; prefer the real folder.
    if let Some(dir) = std::fs::canonicalize(&initdb)
        .ok()
        .and_then(|real| real.parent().map(Path::to_path_buf))
        .filter(|d| has_all_tools(d))
    {
        return Some(dir);
    }
    initdb
        .parent()
        .map(Path::to_path_buf)
        .filter(|d| has_all_tools(d))
}

/// Minimal `PATH` lookup.
pub(crate) fn which(name: &OsStr) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_numerically() {
        assert!(parse_version("15").unwrap() > parse_version("9.6").unwrap());
        assert!(parse_version("16").unwrap() > parse_version("15").unwrap());
        assert_eq!(parse_version("main"), None);
    }

    #[test]
    fn highest_version_wins_and_incomplete_dirs_are_skipped() {
        let root =
            std::env::temp_dir().join(format!("embedded-pg-discovery-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (version, tools) in [
            ("9.6", &REQUIRED_TOOLS[..]),
            ("15", &REQUIRED_TOOLS[..]),
            ("17", &["initdb"][..]),
        ] {
            let bin = root.join(version).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            for tool in tools {
                let path = bin.join(tool);
                std::fs::write(&path, "#!/bin/sh\n").unwrap();
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
        assert_eq!(
            highest_versioned_bindir(&root),
            Some(root.join("15").join("bin"))
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
