//! `ledger user create`: creates an account, or recovers an existing one, without HTTP (the
//! first admin of a closed ledger, a locked-out admin). An existing account gets the role and
//! the password, is enabled, its address counts as confirmed, and every token issued before
//! stops working (its token version moves on and its sessions are revoked).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use sqlx::PgPool;

use app::access::{passwords, users};
use domain::access::Role;
use domain::access::rules::{check_password, normalize_email};

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Create a user, or recover an existing one (set role and password, enable it, end its
    /// sessions).
    Create(CreateArgs),
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// The user's email address.
    #[arg(long)]
    pub email: String,
    /// admin, accountant, analyst, viewer or auditor.
    #[arg(long)]
    pub role: String,
    /// Read the password from this file (its first line). Without it the password is asked
    /// for twice on the terminal.
    #[arg(long)]
    pub password_file: Option<PathBuf>,
}

/// Reads the password from the file's first line (a trailing newline is not part of it).
fn password_from_file(path: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    Ok(text.lines().next().unwrap_or_default().to_string())
}

fn password_from_terminal() -> anyhow::Result<String> {
    anyhow::ensure!(
        std::io::stdin().is_terminal(),
        "no terminal to ask for the password on: pass --password-file FILE"
    );
    let first = rpassword::prompt_password("New password: ")?;
    let second = rpassword::prompt_password("Repeat the password: ")?;
    anyhow::ensure!(first == second, "the passwords differ; nothing was changed");
    Ok(first)
}

/// Runs `ledger user …`; answers the line to print.
pub async fn run(pool: &PgPool, command: &UserCommand) -> anyhow::Result<String> {
    let UserCommand::Create(args) = command;
    let email = normalize_email(&args.email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let role = Role::parse(&args.role)
        .filter(|r| *r != Role::Pending)
        .ok_or_else(|| {
            anyhow::anyhow!("--role must be admin, accountant, analyst, viewer or auditor")
        })?;
    let password = match &args.password_file {
        Some(path) => password_from_file(path)?,
        None => password_from_terminal()?,
    };
    check_password("password", &password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = tokio::task::spawn_blocking(move || passwords::hash_blocking(&password))
        .await?
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(users::create_or_recover(pool, &email, role, &hash).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn the_password_is_the_files_first_line() {
        let dir = std::env::temp_dir().join(format!("ledger-pw-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("p");
        std::fs::write(&f, "secret with spaces \r\nsecond line").unwrap();
        assert_eq!(password_from_file(&f).unwrap(), "secret with spaces ");
        std::fs::write(&f, "").unwrap();
        assert_eq!(password_from_file(&f).unwrap(), "");
        assert!(password_from_file(&dir.join("missing")).is_err());
    }
}
