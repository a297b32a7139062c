//! Traffic imports from the command line; the queue, the worker and the run are in
//! `app::traffic`.

pub mod cli;
