//! The event log: appending (the only code that writes `events`), reading in the sealed global
//! order, sealing into the hash chain, upcasting old event versions, and the aggregate
//! repository that folds streams into aggregates. It knows the domain's event types and
//! nothing of projections, commands or HTTP.

pub mod append;
pub mod chain;
pub mod log;
pub mod lookup;
pub mod repository;
pub mod upcast;

pub use append::{AppendError, NewEvent, Unstorable, append, append_positions};
pub use log::{EventMetadata, StoredEvent};
pub use repository::{LoadError, Streams, load, load_many, load_streams};
pub use upcast::CorruptEvent;
