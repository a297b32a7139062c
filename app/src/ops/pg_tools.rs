//! The machine's PostgreSQL client tools (`pg_dump`, `pg_restore`), found in the order the
//! embedded cluster finds its server binaries: `LEDGER_PG_BIN`, `pg_config --bindir`, the
//! highest `/usr/lib/postgresql/*/bin`, then `PATH`. Nothing is downloaded.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use super::{OpsError, OpsResult};

/// Where a tool lives, or [`OpsError::ToolMissing`].
pub fn find(tool: &str) -> OpsResult<PathBuf> {
    let candidates = [
        std::env::var_os("LEDGER_PG_BIN")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from),
        pg_config_bindir(),
        highest_versioned_bindir(Path::new("/usr/lib/postgresql"), tool),
    ];
    if let Some(path) = candidates
        .into_iter()
        .flatten()
        .map(|dir| dir.join(tool))
        .find(|p| is_executable(p))
    {
        return Ok(path);
    }
    std::env::var_os("PATH")
        .and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(tool))
                .find(|p| is_executable(p))
        })
        .ok_or_else(|| OpsError::ToolMissing { tool: tool.into() })
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn pg_config_bindir() -> Option<PathBuf> {
    let out = std::process::Command::new("pg_config")
        .arg("--bindir")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let dir = text.trim();
    (out.status.success() && !dir.is_empty()).then(|| PathBuf::from(dir))
}

/// `<root>/<version>/bin` of the highest version holding `tool`: a newer `pg_dump` reads
/// older servers, never the other way round.
fn highest_versioned_bindir(root: &Path, tool: &str) -> Option<PathBuf> {
    let mut found: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name();
            let version: Vec<u32> = name
                .to_str()?
                .split('.')
                .map(|p| p.parse().ok())
                .collect::<Option<_>>()?;
            let bin = entry.path().join("bin");
            is_executable(&bin.join(tool)).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// Runs `tool` with `args` to the end; its output is returned only when it fails (a URL in
/// the arguments is never echoed: it may hold a password).
pub async fn run(tool: &str, args: &[String]) -> OpsResult<()> {
    let program = find(tool)?;
    let out = tokio::process::Command::new(&program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(OpsError::io(format!("running {}", program.display())))?;
    if out.status.success() {
        return Ok(());
    }
    Err(OpsError::ToolFailed {
        command: tool.to_string(),
        status: out.status.to_string(),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    })
}
