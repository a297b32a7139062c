//! The read tables, all inside one schema so a rebuild can happen beside the live tables and be
//! swapped in (or compared) as a whole. The DDL lives in code, not in migrations, because read
//! tables are disposable: a change bumps [`MODEL_VERSION`] and the projector rebuilds them.
//! Each read model's module holds its own DDL; this module creates, indexes, swaps and digests
//! the schema as a whole.

use sha2::{Digest, Sha256};
use sqlx::{Connection, Executor, PgConnection, Row};

/// The live read schema.
pub const LIVE_SCHEMA: &str = "read";
/// Bump whenever a table, column or projection rule changes: the projector then rebuilds.
pub const MODEL_VERSION: i32 = 17;

/// The dispatcher's own table: how far the schema has projected, and under which model version.
const CHECKPOINT_DDL: &str = r#"
CREATE TABLE {s}.checkpoint (
    id            boolean PRIMARY KEY DEFAULT true CHECK (id),
    last_seq      bigint  NOT NULL,
    model_version integer NOT NULL
);
"#;

/// One read model's tables: their DDL (`{s}` stands for the schema) and the columns that order
/// each table's rows uniquely (for digests and dumps). Each model's module holds its own.
struct Model {
    ddl: &'static str,
    tables: &'static [(&'static str, &'static str)],
}

/// Every read model, in the order their tables are created.
const MODELS: [Model; 8] = [
    Model {
        ddl: crate::ledger::schema::DDL,
        tables: crate::ledger::schema::TABLES,
    },
    Model {
        ddl: crate::entities::DDL,
        tables: crate::entities::TABLES,
    },
    Model {
        ddl: crate::traffic::schema::DDL,
        tables: crate::traffic::schema::TABLES,
    },
    Model {
        ddl: crate::payouts::DDL,
        tables: crate::payouts::TABLES,
    },
    Model {
        ddl: crate::recurring::DDL,
        tables: crate::recurring::TABLES,
    },
    Model {
        ddl: crate::rates::DDL,
        tables: crate::rates::TABLES,
    },
    Model {
        ddl: crate::crypto::DDL,
        tables: crate::crypto::TABLES,
    },
    Model {
        ddl: crate::invoices::schema::DDL,
        tables: crate::invoices::schema::TABLES,
    },
];

/// Every read table with the columns that order its rows uniquely (for digests and dumps):
/// the checkpoint, then each model's.
pub fn tables() -> impl Iterator<Item = (&'static str, &'static str)> {
    std::iter::once(("checkpoint", "id"))
        .chain(MODELS.iter().flat_map(|m| m.tables.iter().copied()))
}

/// Indexes built after a bulk rebuild rather than maintained row by row during it, in two
/// scripts run on two connections at once (see `ledger::schema::DEFERRED_INDEXES`).
fn indexes_ddl() -> [String; 2] {
    let [first, second] = crate::ledger::schema::DEFERRED_INDEXES;
    [
        format!("{first}{}", crate::entities::DEFERRED_INDEXES),
        second.to_string(),
    ]
    .map(|ddl| format!("\nSET maintenance_work_mem = '256MB';{ddl}RESET maintenance_work_mem;\n"))
}

fn check_schema_name(schema: &str) {
    assert!(
        schema.starts_with(|c: char| c.is_ascii_lowercase())
            && schema
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
        "schema names are plain identifiers made by this crate, got {schema:?}"
    );
}

/// Drops `schema` if present and creates empty read tables in it (indexes deferred).
/// Whether the live read tables exist (a first start or a version change builds them beside and
/// swaps them in, so their existence means they are complete).
pub async fn ready(pool: &sqlx::PgPool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'read')")
        .fetch_one(pool)
        .await
}

/// How long start-up jobs wait for the read tables (a rebuild of a large log takes minutes).
pub const READY_WAIT: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// Waits up to `max` for [`ready`]; answers whether the read tables are there. Start-up jobs
/// that read them (recurring payments, overdue invoices) wait here instead of failing once and
/// waiting for their next scheduled run.
pub async fn wait_ready(pool: &sqlx::PgPool, max: std::time::Duration) -> bool {
    let started = std::time::Instant::now();
    loop {
        if ready(pool).await.unwrap_or(false) {
            return true;
        }
        if started.elapsed() >= max {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

pub async fn create_tables(conn: &mut PgConnection, schema: &str) -> Result<(), sqlx::Error> {
    check_schema_name(schema);
    let mut tx = conn.begin().await?;
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut *tx)
        .await?;
    tx.execute(CHECKPOINT_DDL.replace("{s}", schema).as_str())
        .await?;
    for model in &MODELS {
        tx.execute(model.ddl.replace("{s}", schema).as_str())
            .await?;
    }
    sqlx::query(&format!(
        "INSERT INTO {schema}.checkpoint VALUES (true, 0, $1)"
    ))
    .bind(MODEL_VERSION)
    .execute(&mut *tx)
    .await?;
    sqlx::query(&crate::ledger::schema::INITIAL_ROWS.replace("{s}", schema))
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Builds the deferred indexes of `schema`, on `a` and `b` at once.
pub async fn create_indexes(
    a: &mut PgConnection,
    b: &mut PgConnection,
    schema: &str,
) -> Result<(), sqlx::Error> {
    check_schema_name(schema);
    let [first, second] = indexes_ddl().map(|ddl| ddl.replace("{s}", schema));
    // `Executor::execute` with a plain string runs a multi-statement script; `sqlx::raw_sql`
    // would do the same but its future is not `Send` in spawned tasks.
    tokio::try_join!(a.execute(first.as_str()), b.execute(second.as_str()))?;
    Ok(())
}

/// The read schema's checkpoint and model version, or None if it does not exist.
pub async fn checkpoint(
    conn: &mut PgConnection,
    schema: &str,
) -> Result<Option<(i64, i32)>, sqlx::Error> {
    check_schema_name(schema);
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
            .bind(schema)
            .fetch_one(&mut *conn)
            .await?;
    if !exists {
        return Ok(None);
    }
    let row = sqlx::query(&format!(
        "SELECT last_seq, model_version FROM {schema}.checkpoint"
    ))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| (r.get("last_seq"), r.get("model_version"))))
}

/// Atomically replaces the live schema with `schema`.
pub async fn swap_in(conn: &mut PgConnection, schema: &str) -> Result<(), sqlx::Error> {
    check_schema_name(schema);
    let mut tx = conn.begin().await?;
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {LIVE_SCHEMA} CASCADE"))
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!("ALTER SCHEMA {schema} RENAME TO {LIVE_SCHEMA}"))
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

pub async fn drop_schema(conn: &mut PgConnection, schema: &str) -> Result<(), sqlx::Error> {
    check_schema_name(schema);
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(conn)
        .await?;
    Ok(())
}

/// SHA-256 over every row of every read table (as PostgreSQL prints it), in key order: two
/// schemas with equal digests hold byte-for-byte equal tables.
pub async fn digests(
    conn: &mut PgConnection,
    schema: &str,
) -> Result<Vec<(String, u64, String)>, sqlx::Error> {
    use futures::TryStreamExt;
    check_schema_name(schema);
    let mut out = Vec::new();
    for (table, order) in tables() {
        let sql = format!("SELECT t::text FROM {schema}.{table} t ORDER BY {order}");
        let mut rows = sqlx::query_scalar::<_, String>(&sql).fetch(&mut *conn);
        let mut hasher = Sha256::new();
        let mut count = 0u64;
        while let Some(row) = rows.try_next().await? {
            hasher.update(row.as_bytes());
            hasher.update(b"\n");
            count += 1;
        }
        out.push((table.to_string(), count, hex::encode(hasher.finalize())));
    }
    Ok(out)
}
