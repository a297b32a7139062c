//! Traffic analytics on the write side: the import queue and its worker, the run that turns a
//! report file into facts and an event (with the file's per-day sums), the upload folder, and
//! the jobs as the API shows them.

pub mod day_totals;
pub mod facts;
pub mod imports;
pub mod jobs;
pub mod uploads;
pub mod worker;
