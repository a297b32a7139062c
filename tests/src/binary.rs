//! Running the real `ledger` binary as a user would, for the tests of its commands.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `ledger` binary next to the calling test's target folder (cargo builds workspace
/// binaries before integration tests; `scripts/test` builds it first) against `url`, with
/// `data_dir` as its data folder.
pub fn ledger(url: &str, data_dir: &Path, args: &[&str]) -> Output {
    command(url, data_dir)
        .args(args)
        .output()
        .expect("run ledger")
}

/// The command [`ledger`] runs, for a test that sets more of its environment first.
pub fn command(url: &str, data_dir: &Path) -> Command {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("ledger");
    assert!(
        bin.exists(),
        "build the binary first: cargo build --bin ledger ({})",
        bin.display()
    );
    let mut command = Command::new(bin);
    command
        .env("DATABASE_URL", url)
        .env("LEDGER_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn");
    command
}

/// What a run printed, stdout then stderr.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A new, empty folder under the system's temporary folder.
pub fn temp_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ledger-{what}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
