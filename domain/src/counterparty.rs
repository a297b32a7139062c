use serde::{Deserialize, Serialize};

use crate::entity::{Entity, EntitySpec, MAX_TEXT_CHARS, clean_line, clean_name, clean_text};
use crate::error::{DomainError, Field};

/// Most contacts one counterparty may list.
pub const MAX_CONTACTS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CounterpartyKind {
    Customer,
    Vendor,
    AffiliateProgram,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CounterpartySpec {
    pub name: String,
    pub kind: CounterpartyKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

pub type Counterparty = Entity<CounterpartySpec>;

fn clean_email(field: &str, value: Option<String>) -> Result<Option<String>, DomainError> {
    let value = clean_line(field, value, 254)?;
    if let Some(v) = &value {
        let valid = v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !v.contains(char::is_whitespace)
        });
        if !valid {
            return Err(DomainError::invalid(
                field,
                format!("`{v}` is not an email address"),
            ));
        }
    }
    Ok(value)
}

impl EntitySpec for CounterpartySpec {
    const TYPE: &'static str = "counterparty";
    type Context = ();

    fn validate(self, _: Option<&Self>, _: &()) -> Result<Self, DomainError> {
        if self.contacts.len() > MAX_CONTACTS {
            return Err(DomainError::invalid(
                "contacts",
                format!("at most {MAX_CONTACTS} contacts"),
            ));
        }
        let contacts = self
            .contacts
            .into_iter()
            .enumerate()
            .map(|(index, c)| {
                let at = |field: &'static str| {
                    move |e: DomainError| e.at(Field::Contact { index, field })
                };
                Ok(Contact {
                    name: clean_name("name", c.name).map_err(at("name"))?,
                    email: clean_email("email", c.email).map_err(at("email"))?,
                    phone: clean_line("phone", c.phone, 50).map_err(at("phone"))?,
                    role: clean_line("role", c.role, 100).map_err(at("role"))?,
                })
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        Ok(Self {
            name: clean_name("name", self.name)?,
            kind: self.kind,
            email: clean_email("email", self.email)?,
            phone: clean_line("phone", self.phone, 50)?,
            website: clean_line("website", self.website, 500)?,
            tax_id: clean_line("tax_id", self.tax_id, 50)?,
            contacts,
            notes: clean_text("notes", self.notes, MAX_TEXT_CHARS)?,
        })
    }
}
