use serde::{Deserialize, Serialize};

use crate::entity::{Entity, EntitySpec, MAX_TEXT_CHARS, clean_line, clean_name, clean_text};
use crate::error::DomainError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

pub type Project = Entity<ProjectSpec>;

impl EntitySpec for ProjectSpec {
    const TYPE: &'static str = "project";
    type Context = ();

    fn validate(self, _: Option<&Self>, _: &()) -> Result<Self, DomainError> {
        Ok(Self {
            name: clean_name("name", self.name)?,
            code: clean_line("code", self.code, 50)?,
            description: clean_text("description", self.description, MAX_TEXT_CHARS)?,
        })
    }
}
