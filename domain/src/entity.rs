//! Reference data (accounts, projects, categories, counterparties) shares one life cycle:
//! created, updated, archived, restored; never deleted, because postings refer to it. The
//! generic [`Entity`] aggregate owns that life cycle; each kind of entity brings its own
//! validation through [`EntitySpec`].

use std::fmt::Debug;
use std::marker::PhantomData;

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

// The text rules live in `crate::text`; entities name them from here as they always did.
pub use crate::text::{MAX_NAME_CHARS, MAX_TEXT_CHARS, clean_line, clean_name, clean_text};

pub trait EntitySpec:
    Clone + Debug + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static
{
    /// Aggregate type as stored in the log; never change it.
    const TYPE: &'static str;
    /// Facts from outside the aggregate that validation needs (e.g. a category's parent).
    type Context: Send + Sync;

    /// Checks a new state (`previous` is the current one for updates) and returns it normalised.
    fn validate(self, previous: Option<&Self>, ctx: &Self::Context) -> Result<Self, DomainError>;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "S: EntitySpec")]
pub enum EntityEvent<S: EntitySpec> {
    Created(S),
    Updated(S),
    Archived,
    Restored,
}

impl<S: EntitySpec> DomainEvent for EntityEvent<S> {
    fn event_type(&self) -> String {
        let verb = match self {
            Self::Created(_) => "Created",
            Self::Updated(_) => "Updated",
            Self::Archived => "Archived",
            Self::Restored => "Restored",
        };
        verb.to_string()
    }
    fn event_version(&self) -> String {
        "1.0".to_string()
    }
}

#[derive(Debug, Clone)]
pub enum EntityCommand<S: EntitySpec> {
    Create(S),
    Update(S),
    Archive,
    Restore,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "S: EntitySpec")]
pub struct Entity<S: EntitySpec> {
    pub spec: Option<S>,
    pub archived: bool,
    #[serde(skip)]
    _kind: PhantomData<S>,
}

impl<S: EntitySpec> Default for Entity<S> {
    fn default() -> Self {
        Self {
            spec: None,
            archived: false,
            _kind: PhantomData,
        }
    }
}

impl<S: EntitySpec> Entity<S> {
    pub fn exists(&self) -> bool {
        self.spec.is_some()
    }

    fn current(&self) -> Result<&S, DomainError> {
        self.spec.as_ref().ok_or(DomainError::NotFound {
            entity: S::TYPE,
            id: String::new(),
        })
    }
}

impl<S: EntitySpec> Aggregate for Entity<S> {
    const TYPE: &'static str = S::TYPE;
    type Command = EntityCommand<S>;
    type Event = EntityEvent<S>;
    type Error = DomainError;
    type Services = S::Context;

    async fn handle(
        &mut self,
        command: Self::Command,
        ctx: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event = match command {
            EntityCommand::Create(spec) => {
                if self.exists() {
                    return Err(DomainError::AlreadyExists {
                        entity: S::TYPE,
                        id: String::new(),
                    });
                }
                EntityEvent::Created(spec.validate(None, ctx)?)
            }
            EntityCommand::Update(spec) => {
                let current = self.current()?;
                if self.archived {
                    return Err(DomainError::Archived {
                        entity: S::TYPE,
                        id: String::new(),
                    });
                }
                let next = spec.validate(Some(current), ctx)?;
                if &next == current {
                    return Ok(());
                }
                EntityEvent::Updated(next)
            }
            EntityCommand::Archive => {
                self.current()?;
                if self.archived {
                    return Ok(());
                }
                EntityEvent::Archived
            }
            EntityCommand::Restore => {
                self.current()?;
                if !self.archived {
                    return Ok(());
                }
                EntityEvent::Restored
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        let created = matches!(event, EntityEvent::Created(_));
        assert!(
            self.exists() != created,
            "{}: {} only to {}",
            S::TYPE,
            if created {
                "Created applies"
            } else {
                "Updated, Archived and Restored apply"
            },
            if created {
                "a new entity"
            } else {
                "an existing one"
            }
        );
        match event {
            EntityEvent::Created(spec) | EntityEvent::Updated(spec) => self.spec = Some(spec),
            EntityEvent::Archived => self.archived = true,
            EntityEvent::Restored => self.archived = false,
        }
    }
}

/// An entity that another one refers to, as the caller found it in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefFact {
    pub entity: &'static str,
    pub id: uuid::Uuid,
    pub archived: bool,
}

/// The referenced entities a caller found; validation decides what each reference needs.
#[derive(Debug, Clone, Default)]
pub struct References(pub Vec<RefFact>);

impl References {
    /// `id` must name an existing `entity`. An archived one is refused, unless the entity
    /// already pointed at it (an archived offer does not block renaming its campaign).
    pub fn check(
        &self,
        field: &str,
        entity: &'static str,
        id: uuid::Uuid,
        previous: Option<uuid::Uuid>,
    ) -> Result<(), DomainError> {
        let fact = self
            .0
            .iter()
            .find(|f| f.id == id && f.entity == entity)
            .ok_or_else(|| DomainError::invalid(field, format!("no {entity} with id {id}")))?;
        if fact.archived && previous != Some(id) {
            return Err(DomainError::Archived {
                entity,
                id: id.to_string(),
            });
        }
        Ok(())
    }
}
