use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entity::{Entity, EntitySpec, MAX_TEXT_CHARS, clean_name, clean_text};
use crate::error::DomainError;

/// How deep categories may nest; deeper trees are a data-entry mistake, not a need.
pub const MAX_CATEGORY_DEPTH: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CategoryKind {
    Income,
    Expense,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategorySpec {
    pub name: String,
    pub kind: CategoryKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// What validation must know about the proposed parent, looked up by the caller.
#[derive(Debug, Clone, Default)]
pub struct CategoryContext {
    /// This category's own id (None while creating a new one with a fresh id is impossible,
    /// so it is always set by the caller).
    pub id: Option<Uuid>,
    pub parent: Option<ParentFacts>,
}

#[derive(Debug, Clone)]
pub struct ParentFacts {
    pub kind: CategoryKind,
    pub archived: bool,
    /// The parent's ancestors, nearest first, not including the parent itself.
    pub ancestor_ids: Vec<Uuid>,
}

pub type Category = Entity<CategorySpec>;

impl EntitySpec for CategorySpec {
    const TYPE: &'static str = "category";
    type Context = CategoryContext;

    fn validate(self, previous: Option<&Self>, ctx: &CategoryContext) -> Result<Self, DomainError> {
        if let Some(prev) = previous
            && prev.kind != self.kind
        {
            return Err(DomainError::invalid(
                "kind",
                "cannot change once the category exists",
            ));
        }
        if let Some(parent_id) = self.parent_id {
            let parent = ctx.parent.as_ref().ok_or(DomainError::NotFound {
                entity: "category",
                id: parent_id.to_string(),
            })?;
            if parent.kind != self.kind {
                return Err(DomainError::invalid(
                    "parent_id",
                    "parent must be of the same kind",
                ));
            }
            if parent.archived {
                return Err(DomainError::Archived {
                    entity: "category",
                    id: parent_id.to_string(),
                });
            }
            if let Some(id) = ctx.id
                && (id == parent_id || parent.ancestor_ids.contains(&id))
            {
                return Err(DomainError::invalid(
                    "parent_id",
                    "a category cannot be its own ancestor",
                ));
            }
            if parent.ancestor_ids.len() + 2 > MAX_CATEGORY_DEPTH {
                return Err(DomainError::invalid(
                    "parent_id",
                    format!("categories nest at most {MAX_CATEGORY_DEPTH} levels deep"),
                ));
            }
        }
        Ok(Self {
            name: clean_name("name", self.name)?,
            description: clean_text("description", self.description, MAX_TEXT_CHARS)?,
            ..self
        })
    }
}
