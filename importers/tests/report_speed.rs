//! Throughput of the Moloco reader on a generated 1M-row file. Ignored by default; run with
//! `cargo test --release -p importers --test report_speed -- --ignored --nocapture`.

mod common;

use std::time::Instant;

use common::*;
use importers::report::{Record, open};

fn moloco_rows(n: usize) -> Vec<u8> {
    let countries = [
        "US",
        "KOR",
        "United Kingdom",
        "BR",
        "DEU",
        "JPN",
        "India",
        "MX",
    ];
    let mut out = String::with_capacity(n * 110);
    out.push_str(
        "Date,App_ID,Campaign_ID,Campaign_Title,Campaign_Country,Spend,Impressions,Clicks,Installs\n",
    );
    for i in 0..n {
        let day = 1 + i % 28;
        out.push_str(&format!(
            "2024-05-{day:02},com.example.game,cmp_{:05},Campaign title {},{},{}.{:06},{},{},{}\n",
            i % 5000,
            i % 5000,
            countries[i % countries.len()],
            i % 2000,
            i % 1_000_000,
            10_000 + i % 90_000,
            i % 3000,
            i % 300
        ));
    }
    out.into_bytes()
}

#[test]
#[ignore = "throughput measurement; run in release"]
fn moloco_rows_per_second() {
    const N: usize = 1_000_000;
    let data = moloco_rows(N);
    let mut best = f64::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let reader = open(&data[..], &options()).unwrap();
        let mut rows = 0usize;
        let mut installs = 0u64;
        for item in reader {
            let Record::Spend(r) = item.unwrap().record else {
                unreachable!()
            };
            installs += r.installs;
            rows += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(rows, N);
        assert!(installs > 0);
        best = best.min(secs);
    }
    println!(
        "moloco: {N} rows, {:.1} MB in {best:.3} s: {:.0} rows/s, {:.0} MB/s",
        data.len() as f64 / 1e6,
        N as f64 / best,
        data.len() as f64 / 1e6 / best
    );
}
