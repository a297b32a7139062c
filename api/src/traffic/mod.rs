//! Traffic imports from the command line; the queue, the worker, the run and the jobs as the
//! API shows them are in `app::traffic`.

pub mod cli;
