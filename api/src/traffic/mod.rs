//! Traffic imports from the command line, and the import jobs as the API shows them; the
//! queue, the worker and the run are in `app::traffic`.

pub mod cli;
pub mod jobs;
