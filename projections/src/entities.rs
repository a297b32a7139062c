//! The reference data read model (`entities`): accounts, projects, categories, counterparties,
//! traffic sources, programs, offers and campaigns, one row each with its spec as JSON. Their
//! queries are in `crate::queries` (entities, names).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::ProjectionError;
use eventstore::log::StoredEvent;

pub const TABLES: &[(&str, &str)] = &[("entities", "entity_type, id")];

pub const DDL: &str = r#"
CREATE TABLE {s}.entities (
    entity_type text        NOT NULL,
    id          uuid        NOT NULL,
    name        text        NOT NULL,
    archived    boolean     NOT NULL,
    data        jsonb       NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint      NOT NULL,
    PRIMARY KEY (entity_type, id)
);
"#;

/// Built after a rebuild's rows are in (see `read_model::create_indexes`).
pub const DEFERRED_INDEXES: &str = r#"
CREATE INDEX ON {s}.entities (entity_type, lower(name));
"#;

/// Reference-data events, read without their concrete spec type: the read table keeps the
/// spec as JSON and pulls out the name.
#[derive(Deserialize)]
pub enum EntityEventRaw {
    Created(Value),
    Updated(Value),
    Archived,
    Restored,
}

impl EntityEventRaw {
    /// The event type this payload is (`domain::entity::EntityEvent::event_type`).
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::Created(_) => "Created",
            Self::Updated(_) => "Updated",
            Self::Archived => "Archived",
            Self::Restored => "Restored",
        }
    }
}

/// A change to `entities`, applied in log order.
pub enum EntityOp {
    Upsert {
        kind: String,
        id: Uuid,
        name: String,
        data: Value,
        at: DateTime<Utc>,
        version: i64,
        created: bool,
    },
    SetArchived {
        kind: String,
        id: Uuid,
        archived: bool,
        at: DateTime<Utc>,
        version: i64,
    },
}

/// The change one event of entity `id` makes.
pub fn op(e: &StoredEvent, id: Uuid, raw: EntityEventRaw) -> EntityOp {
    let (kind, at, version) = (e.aggregate_type.clone(), e.recorded_at, e.sequence);
    let name = |data: &Value| {
        data.get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    match raw {
        EntityEventRaw::Created(data) => EntityOp::Upsert {
            kind,
            id,
            name: name(&data),
            data,
            at,
            version,
            created: true,
        },
        EntityEventRaw::Updated(data) => EntityOp::Upsert {
            kind,
            id,
            name: name(&data),
            data,
            at,
            version,
            created: false,
        },
        EntityEventRaw::Archived => EntityOp::SetArchived {
            kind,
            id,
            archived: true,
            at,
            version,
        },
        EntityEventRaw::Restored => EntityOp::SetArchived {
            kind,
            id,
            archived: false,
            at,
            version,
        },
    }
}

pub async fn write(
    conn: &mut PgConnection,
    schema: &str,
    op: EntityOp,
) -> Result<(), ProjectionError> {
    match op {
        EntityOp::Upsert {
            kind,
            id,
            name,
            data,
            at,
            version,
            created: true,
        } => {
            sqlx::query(&format!(
                "INSERT INTO {schema}.entities (entity_type, id, name, archived, data, created_at, updated_at, version) \
                 VALUES ($1, $2, $3, false, $4, $5, $5, $6)"
            ))
            .bind(kind)
            .bind(id)
            .bind(name)
            .bind(data)
            .bind(at)
            .bind(version)
            .execute(conn)
            .await?;
        }
        EntityOp::Upsert {
            kind,
            id,
            name,
            data,
            at,
            version,
            created: false,
        } => {
            sqlx::query(&format!(
                "UPDATE {schema}.entities SET name = $3, data = $4, updated_at = $5, version = $6 \
                 WHERE entity_type = $1 AND id = $2"
            ))
            .bind(kind)
            .bind(id)
            .bind(name)
            .bind(data)
            .bind(at)
            .bind(version)
            .execute(conn)
            .await?;
        }
        EntityOp::SetArchived {
            kind,
            id,
            archived,
            at,
            version,
        } => {
            sqlx::query(&format!(
                "UPDATE {schema}.entities SET archived = $3, updated_at = $4, version = $5 \
                 WHERE entity_type = $1 AND id = $2"
            ))
            .bind(kind)
            .bind(id)
            .bind(archived)
            .bind(at)
            .bind(version)
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}
