//! `ledger user create`: creates an account, or recovers an existing one, without HTTP (the
//! first admin of a closed ledger, a locked-out admin). An existing account gets the role and
//! the password, is enabled, its address counts as confirmed, and every token issued before
//! stops working (its token version moves on and its sessions are revoked).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use sqlx::PgPool;
use uuid::Uuid;

use super::audit::{self, AccessEvent};
use super::routes::normalize_email;
use super::{Role, passwords, refresh};
use app::ledger::Actor;

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
    passwords::validate("password", &password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = tokio::task::spawn_blocking(move || passwords::hash_blocking(&password))
        .await?
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    upsert(pool, &email, role, &hash).await
}

async fn upsert(pool: &PgPool, email: &str, role: Role, hash: &str) -> anyhow::Result<String> {
    let mut tx = pool.begin().await?;
    let existing: Option<(Uuid, String)> =
        sqlx::query_as("SELECT id, role FROM users WHERE email_key = lower($1) FOR UPDATE")
            .bind(email)
            .fetch_optional(&mut *tx)
            .await?;
    let actor = Actor::system("cli");
    let line = match existing {
        Some((id, old_role)) => {
            sqlx::query(
                "UPDATE users SET role = $2, password_hash = $3, disabled_at = NULL,
                        email_confirmed_at = COALESCE(email_confirmed_at, now()),
                        token_version = token_version + 1, updated_at = now()
                 WHERE id = $1",
            )
            .bind(id)
            .bind(role.as_str())
            .bind(hash)
            .execute(&mut *tx)
            .await?;
            refresh::revoke_all_for_user(&mut tx, id).await?;
            let mut events = vec![AccessEvent::Recovered {}];
            if let Some(from) = Role::parse(&old_role).filter(|r| *r != role) {
                events.push(AccessEvent::RoleChanged { from, to: role });
            }
            audit::record(&mut tx, id, &actor, &events).await?;
            format!(
                "updated user {email} ({id}): role {}, enabled, new password, every session ended",
                role.as_str()
            )
        }
        None => {
            let id = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO users (id, email, password_hash, role, email_confirmed_at)
                 VALUES ($1, $2, $3, $4, now())",
            )
            .bind(id)
            .bind(email)
            .bind(hash)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await?;
            let event = AccessEvent::Registered {
                email: email.to_string(),
                role,
                how: "cli".into(),
            };
            audit::record(&mut tx, id, &actor, &[event]).await?;
            format!("created user {email} ({id}) with role {}", role.as_str())
        }
    };
    tx.commit().await?;
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;

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
