//! From runs to findings: per-point summaries, paired differences against the
//! baseline, time-series bands and the console table. Everything here is a
//! function of the run table and the series sums, so that resumed, sharded
//! and merged experiments give the same bytes as one uninterrupted run.

use std::fmt::Write as _;

use super::store::{RunsTable, SeriesSums};
use crate::analysis::stats::{Estimate, PairedDifference, estimate, holm, paired, t_quantile};
use crate::metrics::metrics_where;
use crate::util::files::{CsvBuilder, format_float};

/// Each distinct text once, in the order of its first appearance (the
/// scenarios of an experiment's points, their files).
pub fn first_appearances<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for text in texts {
        if !out.contains(&text) {
            out.push(text);
        }
    }
    out
}

/// How the points of an experiment are labelled in outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// A sweep (points with lever values) rather than a comparison of scenarios.
    pub sweep: bool,
    /// Scenario label of each point.
    pub labels: Vec<String>,
    /// Varied lever names (sweeps).
    pub varied: Vec<String>,
    /// Lever values of each point (sweeps).
    pub values: Vec<Vec<String>>,
    /// Columns of `runs.csv` before the metrics.
    pub id_columns: usize,
}

impl Layout {
    /// Named scenarios side by side (comparisons, decompositions):
    /// `runs.csv` starts with scenario, rep, seed.
    pub fn named(labels: Vec<String>) -> Self {
        Self {
            sweep: false,
            labels,
            varied: Vec::new(),
            values: Vec::new(),
            id_columns: 3,
        }
    }

    /// Numbered points with the values of the varied levers (sweeps,
    /// sensitivity designs): `runs.csv` starts with point, scenario, rep,
    /// seed and one column per varied lever.
    pub fn numbered(labels: Vec<String>, varied: Vec<String>, values: Vec<Vec<String>>) -> Self {
        Self {
            sweep: true,
            id_columns: 4 + varied.len(),
            labels,
            varied,
            values,
        }
    }

    /// The scenarios of the experiment, each once, in the order of their
    /// first point: the first is the baseline of differences and contrasts.
    pub fn scenarios(&self) -> Vec<&str> {
        first_appearances(self.labels.iter().map(String::as_str))
    }

    /// The point that point `p` is paired against: the first point (a
    /// comparison), or, in a sweep of several scenarios, the baseline
    /// scenario's point with the same lever values. `None` for a baseline
    /// point and for a sweep of one scenario.
    pub fn baseline_of(&self, p: usize) -> Option<usize> {
        let baseline = self.labels.first()?;
        if !self.sweep {
            return (p > 0 && p < self.labels.len()).then_some(0);
        }
        if self.labels.get(p)? == baseline {
            return None;
        }
        let values = self.values.get(p)?;
        (0..self.labels.len())
            .find(|&q| self.labels[q] == *baseline && self.values.get(q) == Some(values))
    }

    /// The layout of the experiment a manifest describes.
    pub fn of_manifest(manifest: &crate::store::manifest::ExperimentManifest) -> Self {
        let labels = manifest.points.iter().map(|p| p.label.clone()).collect();
        if manifest.key.command.numbered_points() {
            let values = manifest.points.iter().map(|p| p.values.clone()).collect();
            Self::numbered(labels, manifest.varied.clone(), values)
        } else {
            Self::named(labels)
        }
    }
}

/// The paired difference of column `col` between points `a` and `b`
/// (a − b), over the replications where both have a value.
fn paired_columns(runs: &RunsTable, a: u32, b: u32, col: usize) -> PairedDifference {
    let base: std::collections::BTreeMap<u32, f64> = column(runs, b, col)
        .into_iter()
        .filter_map(|(r, v)| v.map(|v| (r, v)))
        .collect();
    let diffs: Vec<f64> = column(runs, a, col)
        .into_iter()
        .filter_map(|(r, v)| Some(v? - base.get(&r)?))
        .collect();
    paired(&diffs)
}

/// The paired difference of `metric` between points `a` and `b` (a − b,
/// common random numbers), if the table has that metric.
pub fn paired_difference(
    layout: &Layout,
    runs: &RunsTable,
    a: u32,
    b: u32,
    metric: &str,
) -> Option<PairedDifference> {
    let (col, _) = metric_columns(layout, runs)
        .into_iter()
        .find(|(_, m)| m == metric)?;
    Some(paired_columns(runs, a, b, col))
}

/// Values of metric column `col` of point `p`, by replication (None for NA).
fn column(runs: &RunsTable, p: u32, col: usize) -> Vec<(u32, Option<f64>)> {
    runs.rows
        .range((p, 0)..=(p, u32::MAX))
        .map(|(&(_, rep), row)| {
            let value = row.field(col).parse::<f64>().ok();
            (rep, value.filter(|v| v.is_finite()))
        })
        .collect()
}

fn metric_columns(layout: &Layout, runs: &RunsTable) -> Vec<(usize, String)> {
    runs.header
        .iter()
        .enumerate()
        .skip(layout.id_columns)
        .map(|(i, h)| (i, h.clone()))
        .collect()
}

/// The estimate of `metric` for point `p` (NA values left out).
pub fn point_estimate(layout: &Layout, runs: &RunsTable, p: u32, metric: &str) -> Option<Estimate> {
    let (col, _) = metric_columns(layout, runs)
        .into_iter()
        .find(|(_, m)| m == metric)?;
    let values: Vec<f64> = column(runs, p, col)
        .into_iter()
        .filter_map(|(_, v)| v)
        .collect();
    Some(estimate(&values))
}

fn point_columns(layout: &Layout, p: usize) -> Vec<String> {
    let mut out = Vec::new();
    if layout.sweep {
        out.push(p.to_string());
    }
    out.push(layout.labels[p].clone());
    if layout.sweep {
        out.extend(layout.values[p].iter().cloned());
    }
    out
}

fn point_header(layout: &Layout) -> Vec<String> {
    let mut out = Vec::new();
    if layout.sweep {
        out.push("point".to_string());
    }
    out.push("scenario".to_string());
    if layout.sweep {
        out.extend(layout.varied.iter().cloned());
    }
    out
}

/// One row of `summary.csv`: a metric of a point over its replications.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// The point (0-based, in plan order).
    pub point: usize,
    /// Its label.
    pub scenario: String,
    /// The varied levers' values at the point (sweeps), as written.
    pub values: Vec<String>,
    /// The run-level metric.
    pub metric: String,
    /// Its estimate over the replications where it is defined.
    pub estimate: Estimate,
}

/// One row of `differences.csv` (comparisons) or `contrasts.csv` (sweeps
/// of several scenarios): a metric of a point minus its baseline point's
/// ([`Layout::baseline_of`]), paired by replication.
#[derive(Debug, Clone, PartialEq)]
pub struct DifferenceRow {
    /// The point (0-based, in plan order).
    pub point: usize,
    /// The point it is paired against ([`Layout::baseline_of`]).
    pub baseline: usize,
    /// The point's label.
    pub scenario: String,
    /// The varied levers' values at the point (sweeps), as written.
    pub values: Vec<String>,
    /// The run-level metric.
    pub metric: String,
    /// Replications where both are defined.
    pub n: usize,
    /// Mean paired difference.
    pub diff: f64,
    /// Lower end of its 95% interval.
    pub ci_low: f64,
    /// Upper end.
    pub ci_high: f64,
    /// Standardized mean difference d_z.
    pub effect_size: f64,
    /// Two-sided p-value of the paired t-test.
    pub p_value: f64,
    /// Holm-adjusted over the point's metrics.
    pub p_adjusted: f64,
}

/// Per point and metric: n, mean, SD, 95% interval.
pub fn summary_rows(layout: &Layout, runs: &RunsTable) -> Vec<SummaryRow> {
    let columns = metric_columns(layout, runs);
    (0..layout.labels.len())
        .flat_map(|p| point_summary(layout, runs, &columns, p))
        .collect()
}

/// The summary rows of point `p` (one per metric of `columns`).
fn point_summary(
    layout: &Layout,
    runs: &RunsTable,
    columns: &[(usize, String)],
    p: usize,
) -> Vec<SummaryRow> {
    columns
        .iter()
        .map(|(col, metric)| {
            let values: Vec<f64> = column(runs, p as u32, *col)
                .into_iter()
                .filter_map(|(_, v)| v)
                .collect();
            SummaryRow {
                point: p,
                scenario: layout.labels[p].clone(),
                values: layout.values.get(p).cloned().unwrap_or_default(),
                metric: metric.clone(),
                estimate: estimate(&values),
            }
        })
        .collect()
}

/// `summary.csv`: per point and metric, n, mean, sd, 95% interval and its
/// half-width relative to the mean.
pub fn summary_csv(layout: &Layout, runs: &RunsTable) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = write_summary_csv(layout, runs, &mut bytes);
    bytes
}

/// [`summary_csv`] written into `out` one point at a time, so that no more
/// than a point's rows are held, however many points there are.
pub fn write_summary_csv(
    layout: &Layout,
    runs: &RunsTable,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut header = point_header(layout);
    for h in [
        "metric",
        "n",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "rel_half_width",
    ] {
        header.push(h.into());
    }
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(&header)?;
    let columns = metric_columns(layout, runs);
    for p in 0..layout.labels.len() {
        for r in point_summary(layout, runs, &columns, p) {
            let e = r.estimate;
            let mut row = point_columns(layout, r.point);
            row.push(r.metric);
            row.push(e.n.to_string());
            for x in [e.mean, e.sd, e.ci_low, e.ci_high, e.relative_half_width()] {
                row.push(format_float(x));
            }
            writer.write_record(&row)?;
        }
    }
    writer.flush()
}

/// Every point against its baseline point ([`Layout::baseline_of`]: point 0
/// of a comparison, the baseline scenario at the same lever values in a
/// sweep of several scenarios), paired by replication (common random
/// numbers), with Holm-adjusted p-values over each point's metrics. Empty
/// for a sweep of one scenario.
pub fn difference_rows(layout: &Layout, runs: &RunsTable) -> Vec<DifferenceRow> {
    let columns = metric_columns(layout, runs);
    (0..layout.labels.len())
        .flat_map(|p| point_differences(layout, runs, &columns, p))
        .collect()
}

/// The difference rows of point `p` against its baseline point (none if it
/// has none), one per metric of `columns`.
fn point_differences(
    layout: &Layout,
    runs: &RunsTable,
    columns: &[(usize, String)],
    p: usize,
) -> Vec<DifferenceRow> {
    let Some(baseline) = layout.baseline_of(p) else {
        return Vec::new();
    };
    let mut block = Vec::new();
    let mut p_values = Vec::new();
    for (col, metric) in columns {
        let d = paired_columns(runs, p as u32, baseline as u32, *col);
        p_values.push(d.p_value);
        block.push((metric.clone(), d));
    }
    let adjusted = holm(&p_values);
    block
        .into_iter()
        .zip(adjusted)
        .map(|((metric, d), p_adjusted)| {
            let e = d.estimate;
            DifferenceRow {
                point: p,
                baseline,
                scenario: layout.labels[p].clone(),
                values: layout.values.get(p).cloned().unwrap_or_default(),
                metric,
                n: e.n,
                diff: e.mean,
                ci_low: e.ci_low,
                ci_high: e.ci_high,
                effect_size: d.effect_size,
                p_value: d.p_value,
                p_adjusted,
            }
        })
        .collect()
}

/// `differences.csv` (comparisons) or `contrasts.csv` (sweeps of several
/// scenarios, with the point and its lever values first): [`difference_rows`]
/// as CSV.
pub fn differences_csv(layout: &Layout, runs: &RunsTable) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = write_differences_csv(layout, runs, &mut bytes);
    bytes
}

/// [`differences_csv`] written into `out` one point at a time.
pub fn write_differences_csv(
    layout: &Layout,
    runs: &RunsTable,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut header = point_header(layout);
    header.extend(
        [
            "metric",
            "n",
            "diff",
            "ci_low",
            "ci_high",
            "effect_size",
            "p_value",
            "p_adjusted",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(&header)?;
    let columns = metric_columns(layout, runs);
    for p in 0..layout.labels.len() {
        for d in point_differences(layout, runs, &columns, p) {
            let mut row = point_columns(layout, d.point);
            row.push(d.metric);
            row.push(d.n.to_string());
            for x in [
                d.diff,
                d.ci_low,
                d.ci_high,
                d.effect_size,
                d.p_value,
                d.p_adjusted,
            ] {
                row.push(format_float(x));
            }
            writer.write_record(&row)?;
        }
    }
    writer.flush()
}

/// `timeseries.csv`: per point, recorded day and metric, the mean across
/// replications and its 95% interval.
pub fn timeseries_csv(layout: &Layout, sums: &SeriesSums) -> Vec<u8> {
    let header: Vec<String> = [
        "scenario", "day", "metric", "n", "mean", "ci_low", "ci_high",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let m = sums.metrics.len();
    let mut rows = CsvBuilder::new(&header);
    for (p, label) in layout.labels.iter().enumerate() {
        let (Some(days), Some(cells)) = (sums.days.get(&(p as u32)), sums.cells.get(&(p as u32)))
        else {
            continue;
        };
        for (r, day) in days.iter().enumerate() {
            for (k, metric) in sums.metrics.iter().enumerate() {
                let cell = cells[r * m + k];
                let mut row = vec![
                    label.clone(),
                    day.to_string(),
                    metric.clone(),
                    cell.n.to_string(),
                ];
                if cell.n == 0 {
                    row.extend([String::new(), String::new(), String::new()]);
                } else {
                    let (mean, var) = cell.moments();
                    let half = t_quantile(cell.n as f64 - 1.0) * (var / cell.n as f64).sqrt();
                    for x in [mean, mean - half, mean + half] {
                        row.push(format_float(x));
                    }
                }
                rows.push(&row);
            }
        }
    }
    rows.bytes()
}

fn interval(e: &Estimate) -> String {
    if e.n == 0 {
        return "NA".into();
    }
    if e.ci_low.is_nan() {
        return format!("{:.3}", e.mean);
    }
    format!("{:.3} [{:.3}, {:.3}]", e.mean, e.ci_low, e.ci_high)
}

/// The console table: key metrics per point with 95% intervals, and for
/// comparisons the paired difference against the baseline, marked `*` where
/// its interval excludes zero.
pub fn console_table(layout: &Layout, runs: &RunsTable) -> String {
    let mut out = String::new();
    let width = layout
        .labels
        .iter()
        .map(|l| l.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let columns = metric_columns(layout, runs);
    let several = layout.scenarios().len() > 1;
    let mut shown = 0;
    for metric in metrics_where(|m| m.key) {
        let Some(&(col, _)) = columns.iter().find(|(_, m)| m == metric) else {
            continue;
        };
        let _ = writeln!(out, "{metric}");
        for (p, label) in layout.labels.iter().enumerate().take(40) {
            let values = column(runs, p as u32, col);
            let e = estimate(&values.iter().filter_map(|(_, v)| *v).collect::<Vec<_>>());
            let name = if layout.sweep && several {
                format!("{p}: {label}, {}", layout.values[p].join(", "))
            } else if layout.sweep {
                format!("{p}: {}", layout.values[p].join(", "))
            } else {
                label.clone()
            };
            let mut line = format!("  {name:width$}  {}", interval(&e));
            if let Some(q) = layout.baseline_of(p) {
                let d = paired_columns(runs, p as u32, q as u32, col).estimate;
                if d.n > 1 {
                    // Marked when the interval as shown (three decimals)
                    // excludes 0: "+0.000 [+0.000, +0.000]" is no finding.
                    let shown_zero = 0.0005;
                    let mark = if d.ci_low >= shown_zero || d.ci_high <= -shown_zero {
                        " *"
                    } else {
                        ""
                    };
                    let _ = write!(
                        line,
                        "   diff {:+.3} [{:+.3}, {:+.3}]{mark}",
                        d.mean, d.ci_low, d.ci_high
                    );
                }
            } else if !layout.sweep || several {
                line.push_str("   (baseline)");
            }
            let _ = writeln!(out, "{line}");
        }
        shown += 1;
    }
    if shown > 0 && !layout.sweep && layout.labels.len() > 1 {
        out.push_str("95% intervals; diff: paired against the baseline (same seeds); * interval excludes 0 as shown\n");
    } else if shown > 0 && several {
        let _ = writeln!(
            out,
            "95% intervals; diff: paired against `{}` at the same lever values (same seeds); * interval excludes 0 as shown",
            layout.labels[0]
        );
    }
    out
}
