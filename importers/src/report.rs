//! Traffic report files (Moloco spend, tracker results and conversion logs, custom mappings).
