//! Sensitivity analyses as experiments: the design's points run on the same
//! runner as comparisons and sweeps (parallel, deterministic, resumable,
//! shardable), then Morris or Sobol' indices are computed from `runs.csv`.
//! With a test function instead of the model, the function is evaluated
//! directly, so anyone can check the estimators against known answers.

use std::path::Path;

use super::design::Vary;
use super::id_of;
use super::store::RunsTable;
use crate::analysis::sensitivity::{self, Design, Index, Method, TestFunction};
use crate::error::Error;
use crate::store::manifest::{ExperimentKey, ExperimentManifest, SensitivityInfo};
use crate::util::files::{CsvBuilder, format_float, write_atomic};

/// What to analyse and how.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Morris or Sobol.
    pub method: Method,
    /// Trajectories (Morris) or base samples N (Sobol).
    pub samples: usize,
    /// Bootstrap resamples for the intervals.
    pub bootstrap: usize,
    /// Seed of the design and the bootstrap.
    pub seed: u64,
    /// Factor names.
    pub names: Vec<String>,
    /// Factor ranges.
    pub ranges: Vec<(f64, f64)>,
}

impl Spec {
    /// How many points the design has, before it is built: r·(k + 1) for
    /// Morris, N·(k + 2) for Sobol' (N·(2k + 2) with second-order indices);
    /// `None` if that overflows.
    pub fn design_points(&self) -> Option<usize> {
        let k = self.names.len();
        let per_sample = match self.method {
            Method::Morris { .. } => k.checked_add(1)?,
            Method::Sobol {
                second_order: false,
            } => k.checked_add(2)?,
            Method::Sobol { second_order: true } => k.checked_mul(2)?.checked_add(2)?,
        };
        self.samples.checked_mul(per_sample)
    }

    /// The design of this analysis.
    pub fn design(&self) -> Design {
        let k = self.names.len();
        match self.method {
            Method::Morris { levels } => {
                sensitivity::morris_design(k, self.samples, levels, self.seed)
            }
            Method::Sobol { second_order } => {
                sensitivity::saltelli_design(k, self.samples, second_order, self.seed)
            }
        }
    }

    /// Indices of outputs `y` (one per design point).
    pub fn indices(&self, design: &Design, y: &[f64]) -> Vec<Index> {
        match self.method {
            Method::Morris { .. } => {
                sensitivity::morris_indices(design, y, self.bootstrap, self.seed)
            }
            Method::Sobol { second_order } => sensitivity::sobol_indices(
                y,
                self.samples,
                self.names.len(),
                second_order,
                self.bootstrap,
                self.seed,
            ),
        }
    }

    /// The manifest's record of this analysis.
    pub fn info(&self, metrics: &[String], function: Option<TestFunction>) -> SensitivityInfo {
        let (levels, second_order) = match self.method {
            Method::Morris { levels } => (levels, false),
            Method::Sobol { second_order } => (0, second_order),
        };
        SensitivityInfo {
            method: self.method.name().into(),
            samples: self.samples,
            levels,
            second_order,
            bootstrap: self.bootstrap,
            metrics: metrics.to_vec(),
            function: function.map(|f| f.name().to_string()),
            ranges: self
                .names
                .iter()
                .zip(&self.ranges)
                .map(|(n, r)| (n.clone(), r.0, r.1))
                .collect(),
            baseline: None,
        }
    }

    /// Lever values of every design point, as text for `--set` and CSV.
    pub fn point_values(&self, design: &Design, varies: &[Vary]) -> Vec<Vec<String>> {
        design
            .unit
            .iter()
            .map(|u| {
                u.iter()
                    .zip(varies)
                    .map(|(x, v)| {
                        let value = v.lo + x * (v.hi - v.lo);
                        if v.integer {
                            format!("{}", value.round() as i64)
                        } else {
                            format!("{value}")
                        }
                    })
                    .collect()
            })
            .collect()
    }
}

fn csv_bytes(header: &[String], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = CsvBuilder::new(header);
    for row in rows {
        out.push(&row);
    }
    out.bytes()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), Error> {
    let path = dir.join(name);
    write_atomic(&path, bytes)
        .map_err(|e| Error::Runtime(format!("writing {}: {e}", path.display())))
}

/// `samples.csv`: every design point in the unit cube and in lever units.
pub fn samples_csv(spec: &Spec, design: &Design, values: &[Vec<String>]) -> Vec<u8> {
    let mut header: Vec<String> = vec!["sample".into(), "role".into(), "row".into()];
    header.extend(spec.names.iter().map(|n| format!("u_{n}")));
    header.extend(spec.names.iter().cloned());
    let rows = design.unit.iter().enumerate().map(|(i, u)| {
        let mut row = vec![
            i.to_string(),
            design.role[i].0.clone(),
            design.role[i].1.to_string(),
        ];
        row.extend(u.iter().map(|x| format!("{x}")));
        row.extend(values[i].iter().cloned());
        row
    });
    csv_bytes(&header, rows)
}

fn index_rows<'a>(
    spec: &'a Spec,
    metric: &'a str,
    indices: &'a [Index],
) -> impl Iterator<Item = Vec<String>> + 'a {
    indices.iter().map(move |ix| {
        let parameter = match ix.partner {
            Some(p) => format!("{}|{}", spec.names[ix.parameter], spec.names[p]),
            None => spec.names[ix.parameter].clone(),
        };
        vec![
            metric.to_string(),
            parameter,
            spec.method.name().to_string(),
            ix.index.to_string(),
            format_float(ix.value),
            format_float(ix.ci_low),
            format_float(ix.ci_high),
        ]
    })
}

const INDEX_HEADER: [&str; 7] = [
    "metric",
    "parameter",
    "method",
    "index",
    "value",
    "ci_low",
    "ci_high",
];

/// Runs a test function on the design and writes the analysis into `dir`.
pub fn analyse_function(
    spec: &Spec,
    function: TestFunction,
    dir: &Path,
    command_line: Vec<String>,
) -> Result<Vec<Index>, Error> {
    let clock = std::time::Instant::now();
    let design = spec.design();
    let y = sensitivity::evaluate(function, &design);
    let values = spec.point_values(
        &design,
        &spec
            .names
            .iter()
            .zip(&spec.ranges)
            .map(|(n, r)| Vary {
                key: n.clone(),
                lo: r.0,
                hi: r.1,
                steps: 2,
                integer: false,
            })
            .collect::<Vec<_>>(),
    );
    let indices = spec.indices(&design, &y);
    write(dir, "samples.csv", &samples_csv(spec, &design, &values))?;
    let runs = csv_bytes(
        &["sample".to_string(), "y".to_string()],
        y.iter()
            .enumerate()
            .map(|(i, v)| vec![i.to_string(), format!("{v}")]),
    );
    write(dir, "runs.csv", &runs)?;
    let header: Vec<String> = INDEX_HEADER.iter().map(|s| s.to_string()).collect();
    write(
        dir,
        "indices.csv",
        &csv_bytes(&header, index_rows(spec, "y", &indices)),
    )?;
    let manifest = ExperimentManifest {
        govsim_version: env!("CARGO_PKG_VERSION").into(),
        key: ExperimentKey {
            command: crate::store::manifest::ExperimentKind::Sensitivity,
            hashes: Vec::new(),
            reps: "1".into(),
            base_seed: spec.seed,
        },
        points: Vec::new(),
        varied: spec.names.clone(),
        sample: spec.method.name().into(),
        reps: 1,
        threads: 1,
        shard: None,
        merged_from: Vec::new(),
        complete: true,
        runs_done: y.len(),
        command_line,
        start_time: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        wall_seconds: clock.elapsed().as_secs_f64(),
        sensitivity: Some(spec.info(&["y".to_string()], Some(function))),
        series_all: false,
    };
    let bytes = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Runtime(e.to_string()))?;
    write(dir, "manifest.json", &bytes)?;
    Ok(indices)
}

/// The indices of one metric.
pub type MetricIndices = (String, Vec<Index>);

/// Variance decomposition of one metric over replications.
#[derive(Debug, Clone, PartialEq)]
pub struct Noise {
    /// Metric.
    pub metric: String,
    /// Variance of the per-point means across design points.
    pub between: f64,
    /// Mean within-point variance divided by the replications: the noise left in a point mean.
    pub noise: f64,
    /// noise / between: the share of the analysed variance that is replication noise.
    pub share: f64,
}

/// After the model runs of an analysis are in `dir`, computes and writes
/// `samples.csv`, `indices.csv` and `noise.csv`; returns indices per metric
/// and the noise of each metric.
pub fn analyse_model_runs(
    spec: &Spec,
    design: &Design,
    values: &[Vec<String>],
    layout: &super::aggregate::Layout,
    metrics: &[String],
    contrast: bool,
    dir: &Path,
) -> Result<(Vec<MetricIndices>, Vec<Noise>), Error> {
    let path = dir.join("runs.csv");
    let runs = RunsTable::read(&path, |row| id_of(layout, row))
        .map_err(|e| Error::Runtime(format!("reading {}: {e}", path.display())))?;
    write(dir, "samples.csv", &samples_csv(spec, design, values))?;
    let header: Vec<String> = INDEX_HEADER.iter().map(|s| s.to_string()).collect();
    let mut all = Vec::new();
    let mut noise = Vec::new();
    let mut rows = Vec::new();
    let mut outputs = Vec::new();
    for metric in metrics {
        let col = runs.column(metric)?;
        let mut means = Vec::with_capacity(design.unit.len());
        let mut within = Vec::new();
        let mut reps = 0usize;
        for p in 0..design.unit.len() as u32 {
            let values_of = |point: u32| -> std::collections::BTreeMap<u32, f64> {
                runs.rows
                    .range((point, 0)..=(point, u32::MAX))
                    .filter_map(|(&(_, rep), row)| Some((rep, row.field(col).parse::<f64>().ok()?)))
                    .collect()
            };
            // A contrast: the second scenario minus the baseline, paired by
            // replication (points 2p and 2p + 1).
            let v: Vec<f64> = if contrast {
                let base = values_of(2 * p);
                values_of(2 * p + 1)
                    .into_iter()
                    .filter_map(|(rep, x)| Some(x - base.get(&rep)?))
                    .collect()
            } else {
                values_of(p).into_values().collect()
            };
            if v.is_empty() {
                return Err(Error::Runtime(format!(
                    "{metric} is NA in every replication of design point {p}: choose another metric or lever range"
                )));
            }
            let m = v.iter().sum::<f64>() / v.len() as f64;
            if v.len() > 1 {
                within.push(
                    v.iter().map(|x| (x - m).powi(2)).sum::<f64>()
                        / (v.len() - 1) as f64
                        / v.len() as f64,
                );
            }
            reps = reps.max(v.len());
            means.push(m);
            outputs.push(vec![
                p.to_string(),
                metric.clone(),
                v.len().to_string(),
                format_float(m),
            ]);
        }
        let grand = means.iter().sum::<f64>() / means.len() as f64;
        let between = means.iter().map(|m| (m - grand).powi(2)).sum::<f64>()
            / (means.len() - 1).max(1) as f64;
        if reps > 1 {
            let n = within.iter().sum::<f64>() / within.len().max(1) as f64;
            noise.push(Noise {
                metric: metric.clone(),
                between,
                noise: n,
                share: if between > 0.0 { n / between } else { f64::NAN },
            });
        }
        let indices = spec.indices(design, &means);
        rows.extend(index_rows(spec, metric, &indices).collect::<Vec<_>>());
        all.push((metric.clone(), indices));
    }
    write(dir, "indices.csv", &csv_bytes(&header, rows.into_iter()))?;
    // What the indices were computed from: each design point's mean over
    // its replications (of the paired contrast, for two scenarios).
    let output_header: Vec<String> = ["sample", "metric", "n", "mean"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    write(
        dir,
        "outputs.csv",
        &csv_bytes(&output_header, outputs.into_iter()),
    )?;
    let noise_header: Vec<String> = ["metric", "var_between_points", "var_noise", "noise_share"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let noise_rows = noise.iter().map(|n| {
        vec![
            n.metric.clone(),
            format_float(n.between),
            format_float(n.noise),
            format_float(n.share),
        ]
    });
    write(dir, "noise.csv", &csv_bytes(&noise_header, noise_rows))?;
    Ok((all, noise))
}
