//! Criterion benchmarks of the model: whole runs of shipped scenarios (the
//! classroom town's year, Beilun's year), one simulated day of a warmed-up
//! district and each of its phases. Run with `cargo bench`; figures and
//! how they were obtained are in `benches/README.md`.

use std::hint::black_box;
use std::path::Path;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use govsim::model::shared::SharedResidents;
use govsim::model::{Model, Phase};
use govsim::scenario::{Scenario, load_scenario};

fn scenario(name: &str, overrides: &[&str]) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    load_scenario(&path, &overrides)
        .expect("shipped scenario")
        .scenario
}

/// A whole year of the classroom town: the cost of one small run in a sweep.
fn whole_run(c: &mut Criterion) {
    let s = scenario("classroom/small_town.toml", &[]);
    let mut group = c.benchmark_group("run");
    group.throughput(Throughput::Elements(
        s.district.residents() * u64::from(s.sim.days),
    ));
    group.sample_size(20);
    group.bench_function("small_town_365_days", |b| {
        b.iter(|| black_box(govsim::run::run(&s)))
    });
    group.finish();
}

/// A whole year of Beilun (829,448 residents): the run an analyst of the
/// whole district makes, building included. About 3 s a run, so criterion's
/// fewest samples; `GOVSIM_BENCH_SKIP_YEAR=1` leaves it out.
fn whole_year(c: &mut Criterion) {
    if std::env::var_os("GOVSIM_BENCH_SKIP_YEAR").is_some() {
        return;
    }
    let s = scenario("beilun.toml", &[]);
    let mut group = c.benchmark_group("year");
    group.throughput(Throughput::Elements(
        s.district.residents() * u64::from(s.sim.days),
    ));
    group.sample_size(10);
    group.measurement_time(std::time::Duration::from_secs(40));
    group.bench_function("beilun_365_days", |b| {
        b.iter(|| black_box(govsim::run::run(&s)))
    });
    group.finish();
}

/// The 50,000-resident party-led district after a 60-day warm-up.
fn warmed_district() -> (Scenario, Model) {
    let s = scenario("regimes/party_led.toml", &[]);
    let mut model = Model::new(&s, 1);
    for _ in 0..60 {
        model.step();
    }
    (s, model)
}

/// One day of the 50,000-resident party-led district after a 60-day warm-up:
/// the daily kernels (participation, detection, routing, work, feedback) together.
fn one_day(c: &mut Criterion) {
    let (s, mut model) = warmed_district();
    let mut group = c.benchmark_group("day");
    group.throughput(Throughput::Elements(s.district.residents()));
    group.sample_size(30);
    group.bench_function("party_led_50k", |b| b.iter(|| black_box(model.step())));
    group.finish();
}

/// Each daily kernel on its own, on day 61 of the same district: the model is
/// brought to the kernel's place in the day outside the measurement
/// (criterion's batched setup), so each kernel sees the state it sees in a
/// run. Day 61 is not a meeting day (no joint conference) nor a diffusion
/// day, as 26 days of 30 and 6 of 7 are not.
fn kernels(c: &mut Criterion) {
    let (s, warm) = warmed_district();
    let mut group = c.benchmark_group("kernel");
    group.throughput(Throughput::Elements(s.district.residents()));
    group.sample_size(20);
    for (k, phase) in Phase::ALL.into_iter().enumerate() {
        let name = format!("{phase:?}").to_lowercase();
        group.bench_function(format!("{name}_50k"), |b| {
            b.iter_batched(
                || {
                    let mut model = warm.clone();
                    for &earlier in &Phase::ALL[..k] {
                        model.run_phase(earlier);
                    }
                    model
                },
                |mut model| {
                    model.run_phase(phase);
                    model
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

/// Building the district: residents, ties and organizations.
fn build(c: &mut Criterion) {
    let s = scenario("regimes/party_led.toml", &[]);
    let mut group = c.benchmark_group("build");
    group.throughput(Throughput::Elements(s.district.residents()));
    group.sample_size(20);
    group.bench_function("party_led_50k", |b| b.iter(|| black_box(Model::new(&s, 1))));
    // As a run of an experiment after another point of its replication:
    // the residents copied from the kept ones (`model::shared`).
    let shared = SharedResidents::new(1);
    let mut other_point = s.clone();
    other_point.party.procedure.pooling = 0.0;
    black_box(Model::new_shared(&other_point, 1, &shared));
    group.bench_function("party_led_50k_shared", |b| {
        b.iter(|| black_box(Model::new_shared(&s, 1, &shared)))
    });
    group.finish();
}

/// A month stepped in the live app, through the API as the page asks for
/// it (rows and events as JSON included), on a thread outside the rayon
/// pool as the server's workers are: the classroom town and the
/// 50,000-resident district.
fn live(c: &mut Criterion) {
    use govsim::app::serve::api::{Api, Limits};
    let api = Api::new(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"),
        Limits {
            max_runs: 4,
            idle: std::time::Duration::from_secs(3600),
            max_residents: 100_000,
        },
    );
    let mut group = c.benchmark_group("live");
    group.sample_size(20);
    group.throughput(Throughput::Elements(30));
    for (name, scenario) in [
        ("small_town_30_days", "classroom/small_town"),
        ("district_50k_30_days", "regimes/party_led"),
    ] {
        let create = || {
            let reply = api.handle(
                "POST",
                "/api/runs",
                format!("{{\"scenario\": \"{scenario}\"}}").as_bytes(),
            );
            let value: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
            value["id"].as_str().unwrap().to_string()
        };
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = std::time::Duration::ZERO;
                let (mut id, mut day) = (create(), 0);
                for _ in 0..iters {
                    if day + 30 > govsim::run::live::MAX_LIVE_DAYS {
                        api.handle("DELETE", &format!("/api/runs/{id}"), b"");
                        (id, day) = (create(), 0);
                    }
                    let started = std::time::Instant::now();
                    let reply =
                        api.handle("POST", &format!("/api/runs/{id}/step"), br#"{"days": 30}"#);
                    total += started.elapsed();
                    assert_eq!(reply.status, 200);
                    day += 30;
                }
                api.handle("DELETE", &format!("/api/runs/{id}"), b"");
                total
            })
        });
    }
    group.finish();
}

/// Each benchmark runs on a thread of a rayon pool, as `govsim run` does
/// (`RAYON_NUM_THREADS` sets its size): this thread joins the pool, so the
/// parallel passes start on it instead of waking a pool from outside on
/// every call, which would add more to a small town's year than the year
/// itself costs.
fn in_pool(c: &mut Criterion) {
    live(c);
    let _pool = rayon::ThreadPoolBuilder::new()
        .use_current_thread()
        .build()
        .expect("a thread pool");
    whole_run(c);
    whole_year(c);
    one_day(c);
    kernels(c);
    build(c);
}

criterion_group!(benches, in_pool);
criterion_main!(benches);
