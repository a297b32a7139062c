//! Traffic analytics on the write side: report imports (the job queue and the run that turns a
//! file into facts and an event).

pub mod cli;
pub mod day_totals;
pub mod facts;
pub mod imports;
pub mod jobs;
pub mod uploads;
pub mod worker;
