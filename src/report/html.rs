//! `report.html`: one self-contained page (inline SVG and CSS, the bundled
//! font embedded, no external requests) that says what was run, shows the key
//! findings with intervals, the plots with captions, how the statistics were
//! computed and where the results came from. All text taken from scenario
//! files and manifests is escaped.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::metrics::metrics_where;
use crate::report::plots::{FONT, FONT_BYTES, Plot, color};
use crate::report::results::Results;

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn fmt(x: Option<f64>) -> String {
    x.map_or_else(|| "NA".into(), |v| format!("{v:.3}"))
}

/// `mean [low, high]`, or `NA`.
fn interval(e: Option<&crate::report::results::Estimate>) -> String {
    match e.and_then(|e| Some((e.mean?, e))) {
        None => "NA".into(),
        Some((mean, e)) => match (e.ci_low, e.ci_high) {
            (Some(lo), Some(hi)) => format!("{mean:.3} [{lo:.3}, {hi:.3}]"),
            _ => format!("{mean:.3}"),
        },
    }
}

/// Every leaf of a TOML document as (dotted path, value text).
fn flatten(value: &toml::Value, prefix: &str, out: &mut BTreeMap<String, String>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(v, &path, out);
            }
        }
        toml::Value::Array(items) if items.iter().any(|i| i.is_table()) => {
            for (i, v) in items.iter().enumerate() {
                flatten(v, &format!("{prefix}[{i}]"), out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// Levers whose values differ between the compared scenarios.
fn lever_differences(r: &Results) -> Vec<(String, Vec<String>)> {
    let flat: Vec<BTreeMap<String, String>> = r
        .scenarios
        .iter()
        .map(|s| {
            let mut out = BTreeMap::new();
            if let Some(v) = s.as_ref().and_then(|t| t.parse::<toml::Table>().ok()) {
                flatten(&toml::Value::Table(v), "", &mut out);
            }
            out
        })
        .collect();
    let mut keys: Vec<&String> = flat.iter().flat_map(|f| f.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !matches!(k.as_str(), "name" | "description" | "sim.seed"))
        .filter_map(|k| {
            let values: Vec<String> = flat
                .iter()
                .map(|f| f.get(k).cloned().unwrap_or_else(|| "—".into()))
                .collect();
            (values.iter().any(|v| *v != values[0])).then(|| (k.clone(), values))
        })
        .collect()
}

const STYLE: &str = "
body { font-family: 'DejaVu Sans', sans-serif; color: #222; max-width: 1260px; margin: 0 auto; padding: 1.2em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; display: block; overflow-x: auto; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.sig { background: #fff1c2; font-weight: bold; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.4em; vertical-align: -0.1em; }
figure { margin: 1.6em 0; } figure svg { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; margin-top: 0.3em; }
code { background: #f5f5f5; padding: 0 0.2em; } .small { color: #666; font-size: 0.9em; }
";

/// The start of every page, up to `<body>`: the title (escaped), the
/// bundled font and the style sheet, with `extra_style` after it.
fn page_head(title: &str, extra_style: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n@font-face {{ font-family: '{FONT}'; src: url(data:font/ttf;base64,{}) format('truetype'); }}\n{STYLE}{extra_style}</style>\n</head>\n<body>\n",
        escape(title),
        base64(FONT_BYTES)
    )
}

/// The report page.
pub fn report_html(r: &Results, plots: &[Plot]) -> String {
    let m = &r.manifest;
    let labels = r.labels();
    let sweep = r.sweep();
    let mut h = String::new();
    let decomposition = m.key.command == crate::store::manifest::ExperimentKind::Decompose;
    let title = match m.key.command {
        crate::store::manifest::ExperimentKind::Sensitivity => "govsim sensitivity analysis",
        crate::store::manifest::ExperimentKind::Decompose => "govsim decomposition",
        _ if sweep => "govsim sweep",
        _ => "govsim comparison",
    };
    h.push_str(&page_head(
        &format!("{title}: {}", labels.first().cloned().unwrap_or_default()),
        "",
    ));
    let _ = writeln!(h, "<h1>{}</h1>", escape(title));
    if decomposition {
        // BASE and TARGET as the command named them (issue 29, item 5).
        let files: Vec<&String> = m
            .command_line
            .iter()
            .filter(|a| a.ends_with(".toml"))
            .collect();
        let named = |k: usize| {
            files
                .get(k)
                .map_or(String::new(), |f| format!(" (<code>{}</code>)", escape(f)))
        };
        let _ = writeln!(
            h,
            "<p id=\"base-target\">BASE{}: the first scenario; TARGET{}: BASE with every group of levers set as in the second. Each of the {} runs below is BASE with some of the groups switched to TARGET's values.</p>",
            named(0),
            named(1),
            m.points.len()
        );
    }
    if !m.complete {
        let _ = writeln!(
            h,
            "<p id=\"incomplete\"><b>Incomplete:</b> {} runs of a larger plan (merged with <code>--allow-partial</code>, or stopped early). The findings rest on fewer replications than planned.</p>",
            m.runs_done
        );
    }
    let _ = writeln!(
        h,
        "<p class=\"small\">{} replications per point, base seed {}, govsim {}, {} runs.</p>",
        m.reps,
        m.key.base_seed,
        escape(&m.govsim_version),
        m.runs_done
    );

    if decomposition {
        // The answer is the attribution; the best of the combinations is not.
        h.push_str(&attribution_section(r));
    } else {
        h.push_str(&summary_section(r));
        h.push_str(&attribution_section(r));
    }

    // What was run.
    h.push_str("<section id=\"what\">\n<h2>What was run</h2>\n");
    if let Some(info) = m.sensitivity.as_ref().filter(|_| r.sensitivity()) {
        let subject = match (&info.function, &info.baseline) {
            (Some(f), _) => format!("the test function <code>{}</code>", escape(f)),
            (None, Some(baseline)) => format!(
                "the paired contrast <b>{}</b> − <b>{}</b> (<code>{}</code> − <code>{}</code>: both run at every design point with the same seeds, the indices are of their difference)",
                escape(m.points.get(1).map_or("", |p| p.label.as_str())),
                escape(baseline),
                escape(m.points.get(1).map_or("", |p| p.path.as_str())),
                escape(m.points.first().map_or("", |p| p.path.as_str()))
            ),
            (None, None) => format!(
                "<code>{}</code>",
                escape(m.points.first().map_or("", |p| p.path.as_str()))
            ),
        };
        let size = if info.method == "morris" {
            format!(
                "{} trajectories on a {}-level grid",
                info.samples, info.levels
            )
        } else {
            format!(
                "N = {} base samples of a scrambled Sobol' sequence (Saltelli design{})",
                info.samples,
                if info.second_order {
                    ", with second order"
                } else {
                    ""
                }
            )
        };
        let _ = writeln!(
            h,
            "<p>{} sensitivity analysis of {subject}: {size}, {} model evaluations, each the mean of {} replication(s); intervals from {} bootstrap resamples.</p>",
            escape(&info.method),
            m.runs_done,
            m.reps,
            info.bootstrap
        );
        h.push_str("<table id=\"levers-table\"><tr><th>lever</th><th>low</th><th>high</th></tr>\n");
        for (name, lo, hi) in &info.ranges {
            let _ = writeln!(
                h,
                "<tr><td><code>{}</code></td><td class=\"num\">{lo}</td><td class=\"num\">{hi}</td></tr>",
                escape(name)
            );
        }
        h.push_str("</table>\n");
    } else if sweep {
        let files = crate::experiment::aggregate::first_appearances(
            m.points.iter().map(|p| p.path.as_str()),
        )
        .iter()
        .map(|f| format!("<code>{}</code>", escape(f)))
        .collect::<Vec<_>>()
        .join(", ");
        if r.contrast() {
            let _ = writeln!(
                h,
                "<p>Each scenario is run at every point of the design; the first, <b>{}</b>, is the baseline of the contrasts (every other scenario against it at the same lever values, paired by replication).</p>",
                escape(&r.scenario_names()[0])
            );
        }
        let _ = writeln!(
            h,
            "<p>A sweep of {files} over {} point(s) ({}), each run {} times with the same seeds (common random numbers).</p>",
            m.points.len(),
            escape(if m.sample.is_empty() {
                "grid"
            } else {
                &m.sample
            }),
            m.reps
        );
        h.push_str("<table id=\"levers-table\"><tr><th>varied lever</th><th>lowest</th><th>highest</th><th>values</th></tr>\n");
        for (k, lever) in m.varied.iter().enumerate() {
            let mut values: Vec<f64> = m
                .points
                .iter()
                .filter_map(|p| p.values.get(k)?.parse().ok())
                .collect();
            values.sort_by(f64::total_cmp);
            values.dedup();
            let _ = writeln!(
                h,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(lever),
                values.first().map_or(String::new(), |v| v.to_string()),
                values.last().map_or(String::new(), |v| v.to_string()),
                values.len()
            );
        }
        h.push_str("</table>\n");
    } else {
        h.push_str("<p>Scenarios run side by side; replication <i>i</i> of every scenario uses the same seed, so differences are paired. The first scenario is the baseline.</p>\n");
        h.push_str("<table id=\"scenarios-table\"><tr><th>scenario</th><th>what it is</th><th>capacity per 1,000 residents (effort units a day)</th><th>file</th><th>resolved scenario (SHA-256)</th></tr>\n");
        // A decomposition shows BASE and TARGET; its combinations between
        // are in summary.csv (issue 29, item 5).
        let last = m.points.len().saturating_sub(1);
        for (p, point) in m.points.iter().enumerate() {
            if decomposition && p != 0 && p != last {
                continue;
            }
            let c = color(p);
            // The scenario's own description, from its resolved file.
            let description = r
                .scenarios
                .get(p)
                .and_then(|t| t.as_deref())
                .and_then(|t| t.parse::<toml::Table>().ok())
                .and_then(|t| t.get("description")?.as_str().map(String::from))
                .unwrap_or_default();
            let _ = writeln!(
                h,
                "<tr><td><span class=\"swatch\" style=\"background: rgb({},{},{})\"></span>{}{}</td><td>{}</td><td class=\"num\">{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>",
                c.0,
                c.1,
                c.2,
                escape(&point.label),
                if p == 0 { " (baseline)" } else { "" },
                escape(&description),
                interval(r.estimate(p, "capacity_per_1000")),
                escape(&point.path),
                escape(&point.sha256[..point.sha256.len().min(16)])
            );
        }
        h.push_str("</table>\n");
        if decomposition && last > 1 {
            let _ = writeln!(
                h,
                "<p class=\"small\">And {} combinations of the groups between them, each group at BASE's or TARGET's levers (<code>summary.csv</code>, <code>runs.csv</code>).</p>",
                last - 1
            );
        }
        let diffs = lever_differences(r);
        if decomposition && !diffs.is_empty() {
            h.push_str("<p>Levers in which BASE and TARGET differ, by the group they are switched with (every other lever is the same):</p>\n<table id=\"levers-table\"><tr><th>group</th><th>lever</th><th>BASE</th><th>TARGET</th></tr>\n");
            for (lever, values) in &diffs {
                // The group: the first single group whose combination
                // moves the lever.
                let group = values
                    .iter()
                    .enumerate()
                    .skip(1)
                    .find(|(p, v)| *v != &values[0] && !labels[*p].contains('+'))
                    .map_or("", |(p, _)| labels[p].as_str());
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    escape(group),
                    escape(lever),
                    escape(values.first().map_or("", String::as_str)),
                    escape(values.last().map_or("", String::as_str))
                );
            }
            h.push_str("</table>\n");
        } else if !diffs.is_empty() {
            h.push_str("<p>Levers in which the scenarios differ (every other lever is the same):</p>\n<table id=\"levers-table\"><tr><th>lever</th>");
            for l in &labels {
                let _ = write!(h, "<th>{}</th>", escape(l));
            }
            h.push_str("</tr>\n");
            for (lever, values) in diffs {
                let _ = write!(h, "<tr><td><code>{}</code></td>", escape(&lever));
                for v in values {
                    let _ = write!(h, "<td class=\"num\">{}</td>", escape(&v));
                }
                h.push_str("</tr>\n");
            }
            h.push_str("</table>\n");
        }
    }
    h.push_str("</section>\n");

    // Findings.
    h.push_str("<section id=\"findings\">\n<h2>Key findings</h2>\n");
    if r.sensitivity() {
        h.push_str("<p>Sensitivity indices with 95% bootstrap intervals, by metric and lever.</p>\n<table id=\"findings-table\"><tr><th>metric</th><th>lever</th><th>index</th><th>value [95% interval]</th></tr>\n");
        for ix in &r.indices {
            let value = match (ix.value, ix.ci_low, ix.ci_high) {
                (Some(v), Some(lo), Some(hi)) => format!("{v:.4} [{lo:.4}, {hi:.4}]"),
                (Some(v), _, _) => format!("{v:.4}"),
                _ => "NA".into(),
            };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td></tr>",
                escape(&ix.metric),
                escape(&ix.parameter),
                escape(&ix.index),
                value
            );
        }
        h.push_str("</table>\n");
        if !r.noise.is_empty() {
            h.push_str("<p>How much of the variance between design points is replication noise (the variance of a point's mean over its replications, relative to the variance between points). Above about 20%, add replications before reading the indices.</p>\n<table id=\"noise-table\"><tr><th>metric</th><th>noise share</th></tr>\n");
            for (metric, share) in &r.noise {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
                    escape(metric),
                    share.map_or("NA".into(), |s| format!("{:.1}%", 100.0 * s))
                );
            }
            h.push_str("</table>\n");
        }
    } else if sweep {
        let contrast = r.contrast();
        if contrast {
            let _ = write!(
                h,
                "<p>Mean and 95% interval of each key metric at each point and, for each scenario after the baseline, its paired difference from {} at the same lever values. <b>Highlighted</b> differences have intervals that exclude zero.</p>\n<table id=\"findings-table\"><tr><th>point</th><th>scenario</th>",
                escape(&r.scenario_names()[0])
            );
        } else {
            h.push_str("<p>Mean and 95% interval of each key metric at each point.</p>\n<table id=\"findings-table\"><tr><th>point</th>");
        }
        for lever in &m.varied {
            let _ = write!(h, "<th><code>{}</code></th>", escape(lever));
        }
        for metric in metrics_where(|m| m.key) {
            let _ = write!(h, "<th>{}</th>", metric_cell(metric));
        }
        h.push_str("</tr>\n");
        for (p, point) in m.points.iter().enumerate().take(200) {
            let _ = write!(h, "<tr><td class=\"num\">{p}</td>");
            if contrast {
                let _ = write!(h, "<td>{}</td>", escape(&point.label));
            }
            for v in &point.values {
                let _ = write!(h, "<td class=\"num\">{}</td>", escape(v));
            }
            for metric in metrics_where(|m| m.key) {
                let difference = r.difference(p, metric).and_then(|d| {
                    let (diff, lo, hi) = (d.diff?, d.ci_low?, d.ci_high?);
                    Some((
                        format!("<br>{diff:+.3} [{lo:+.3}, {hi:+.3}]"),
                        lo > 0.0 || hi < 0.0,
                    ))
                });
                let (text, apart) = difference.unwrap_or_default();
                let _ = write!(
                    h,
                    "<td class=\"num{}\">{}{text}</td>",
                    if apart { " sig" } else { "" },
                    interval(r.estimate(p, metric))
                );
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table>\n");
        if m.points.len() > 200 {
            h.push_str("<p class=\"small\">The first 200 points; every point is in <code>summary.csv</code>.</p>\n");
        }
    } else {
        h.push_str("<p>Mean and 95% interval per scenario and, after the baseline, the paired difference against it. <b>Highlighted</b> differences have intervals that exclude zero.</p>\n<table id=\"findings-table\"><tr><th>metric</th><th>scenario</th><th>mean [95% interval]</th>");
        let _ = writeln!(
            h,
            "<th>difference from {} [95% interval]</th></tr>",
            escape(&labels[0])
        );
        let mut any_na = false;
        // A decomposition's findings are BASE and TARGET; the
        // combinations between are in summary.csv.
        let last = labels.len().saturating_sub(1);
        let shown: Vec<usize> = (0..labels.len())
            .filter(|&p| !decomposition || p == 0 || p == last)
            .collect();
        for metric in metrics_where(|m| m.key) {
            for &p in &shown {
                let label = &labels[p];
                h.push_str("<tr>");
                if p == 0 {
                    let _ = write!(
                        h,
                        "<td rowspan=\"{}\">{}</td>",
                        shown.len(),
                        metric_cell(metric)
                    );
                }
                let e = r.estimate(p, metric);
                let _ = write!(
                    h,
                    "<td>{}</td><td class=\"num\">{}</td>",
                    escape(label),
                    interval(e)
                );
                if p == 0 {
                    h.push_str("<td class=\"num\">(baseline)</td>");
                } else {
                    match r.difference(p, metric) {
                        Some(d) if d.diff.is_some() => {
                            // Highlighted only when the interval excludes 0
                            // as shown (three decimals): "+0.000 [0.000,
                            // 0.000]" is no finding (issue 29, item 4).
                            let shown_zero = 0.0005;
                            let sig = matches!((d.ci_low, d.ci_high), (Some(lo), Some(hi)) if lo >= shown_zero || hi <= -shown_zero);
                            let _ = write!(
                                h,
                                "<td class=\"num{}\">{:+.3} [{}, {}]</td>",
                                if sig { " sig" } else { "" },
                                d.diff.unwrap_or(0.0),
                                fmt(d.ci_low),
                                fmt(d.ci_high)
                            );
                        }
                        _ => {
                            any_na = true;
                            h.push_str("<td class=\"num\">NA</td>");
                        }
                    }
                }
                any_na |= e.and_then(|e| e.mean).is_none();
                h.push_str("</tr>\n");
            }
        }
        h.push_str("</table>\n");
        if any_na {
            h.push_str("<p class=\"small\" id=\"na-note\">NA: the metric is undefined for that scenario in every replication (party legitimacy where a scenario has no party organization; a cross-cutting figure where none closed), so no difference is computed either.</p>\n");
        }
    }
    h.push_str("</section>\n");

    // Plots.
    h.push_str("<section id=\"plots\">\n<h2>Plots</h2>\n");
    for plot in plots {
        // The plot's title is drawn in it; a heading would say it twice.
        figure(&mut h, plot, None);
    }
    h.push_str("</section>\n");

    // Methods.
    if r.sensitivity() {
        h.push_str(
            "<section id=\"methods-sensitivity\">\n<h2>How the indices were computed</h2>\n<ul>\n\
<li>Morris: elementary effects EE = Δy / Δ along r one-at-a-time trajectories on a p-level grid of the unit cube (Δ = p / (2(p − 1))); μ* is the mean of |EE|, μ its mean, σ its standard deviation; the interval of μ* is the 2.5–97.5% percentile of μ* over bootstrap resamples of trajectories.</li>\n\
<li>Sobol': Saltelli's design (matrices A, B and A with column i from B) on an Owen-scrambled Sobol' sequence; S1 by Saltelli et al. (2010), ST by Jansen (1999), S2 from the B-with-column-from-A matrices; intervals from bootstrap resamples of the N base rows.</li>\n\
<li>With replications, each design point's output is the mean over replications with common seeds; the noise table says how much of the analysed variance is noise.</li>\n\
</ul>\n</section>\n",
        );
    }
    h.push_str(
        "<section id=\"methods\">\n<h2>How the statistics were computed</h2>\n<ul>\n\
<li>Each point was run with the same replication seeds (derived from the base seed), so scenarios are compared on common random numbers.</li>\n\
<li>Means come with 95% t intervals: mean ± t<sub>0.975, n−1</sub> · sd / √n over replications; NA values (no denominator) are left out and <i>n</i> counts the rest.</li>\n\
<li>Differences are paired by replication: the interval is the t interval of the per-replication differences, the effect size is d<sub>z</sub> = mean / sd of the differences, and p-values of the paired t-test are Holm-adjusted over all metrics of a scenario (in <code>differences.csv</code>).</li>\n\
<li>Time-series bands are 95% t intervals of the daily mean across replications; rates in time series are over a trailing 30-day window.</li>\n\
<li>Everything on this page was computed from the CSV files in this folder; <code>govsim report</code> redraws it without running the model.</li>\n\
</ul>\n</section>\n",
    );

    // Provenance.
    h.push_str("<section id=\"provenance\">\n<h2>Provenance</h2>\n<table>\n");
    let rows: Vec<(&str, String)> = vec![
        ("govsim version", m.govsim_version.clone()),
        ("command", m.key.command.name().to_string()),
        ("command line", m.command_line.join(" ")),
        ("replications requested", m.key.reps.clone()),
        ("replications per point", m.reps.to_string()),
        ("base seed", m.key.base_seed.to_string()),
        ("runs", m.runs_done.to_string()),
        ("threads", m.threads.to_string()),
        ("shard", m.shard.clone().unwrap_or_else(|| "none".into())),
        ("merged from", m.merged_from.join(", ")),
        ("started", m.start_time.clone()),
        ("wall time (s)", format!("{:.1}", m.wall_seconds)),
        ("complete", m.complete.to_string()),
    ];
    for (k, v) in rows {
        let _ = writeln!(h, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(&v));
    }
    h.push_str("</table>\n</section>\n</body>\n</html>\n");
    h
}

/// The page of a single run: what was run, its key figures with their
/// units and which way is better (the metric catalogue), every plot.
pub fn run_report_html(r: &crate::report::results::RunResults, plots: &[Plot]) -> String {
    use crate::metrics::{CATALOGUE, Direction};
    let m = &r.manifest;
    let name = r
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut h = String::new();
    h.push_str(&page_head(&format!("govsim run: {name}"), ""));
    let _ = writeln!(h, "<h1>govsim run</h1>");
    let _ = writeln!(
        h,
        "<p class=\"small\">{}, seed {}, {} days, govsim {}. One run of one seed: the figures below have no intervals; <code>govsim compare</code> gives them, with replications.</p>",
        escape(&m.scenario_path),
        m.seed,
        m.days,
        escape(&m.govsim_version)
    );
    h.push_str("<section>\n<h2>Key figures</h2>\n<table id=\"run-figures\"><tr><th>metric</th><th>value</th><th>unit</th><th>better</th></tr>\n");
    for info in CATALOGUE {
        let Some(value) = r.figure(info.name) else {
            continue;
        };
        let better = match info.direction {
            Direction::HigherIsBetter => "higher",
            Direction::LowerIsBetter => "lower",
            Direction::Neither => "—",
        };
        let shown = if value.fract() == 0.0 {
            format!("{value:.0}")
        } else {
            format!("{value:.3}")
        };
        let _ = writeln!(
            h,
            "<tr><td>{} (<code>{}</code>)</td><td class=\"num\">{shown}</td><td>{}</td><td>{better}</td></tr>",
            escape(info.label),
            escape(info.name),
            escape(info.unit)
        );
    }
    h.push_str("</table>\n</section>\n<section>\n<h2>Over the run</h2>\n");
    for plot in plots {
        // The chart carries its title; no heading above it.
        figure(&mut h, plot, None);
    }
    h.push_str("</section>\n</body>\n</html>\n");
    h
}

/// A metric as readers meet it: its label, its column name, its unit and
/// which way is better (the metric catalogue).
/// How a point is named in the summary: its label (comparisons) or its
/// lever values (sweeps).
fn point_name(r: &Results, p: usize) -> String {
    if !r.sweep() {
        return format!("<b>{}</b>", escape(&r.labels()[p]));
    }
    let values = r
        .manifest
        .points
        .get(p)
        .map(|point| {
            r.manifest
                .varied
                .iter()
                .zip(&point.values)
                .map(|(lever, v)| format!("<code>{}</code> = {}", escape(lever), escape(v)))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    if r.contrast() {
        let label = r.labels().get(p).cloned().unwrap_or_default();
        return format!("<b>{}</b> at point {p} ({values})", escape(&label));
    }
    format!("<b>point {p}</b> ({values})")
}

/// `+d [lo, hi]` of a paired difference, or `+d` without an interval.
fn signed_interval(d: &crate::analysis::stats::PairedDifference) -> String {
    let e = &d.estimate;
    if e.ci_low.is_finite() && e.ci_high.is_finite() {
        format!("{:+.3} [{:+.3}, {:+.3}]", e.mean, e.ci_low, e.ci_high)
    } else {
        format!("{:+.3} (one replication: no interval)", e.mean)
    }
}

/// The summary at the top of the report, generated from the findings: for
/// each key metric with a better direction, which point does best, by how
/// much it leads the runner-up (paired over the same replications) and the
/// baseline; for a sensitivity analysis, which lever matters most.
/// A decomposition's finding, one sentence per metric: which group of
/// levers carries most of TARGET − BASE, with its interval and share.
fn attribution_section(r: &Results) -> String {
    if r.attribution.is_empty() {
        return String::new();
    }
    let fmt = |v: Option<f64>| v.map_or("NA".into(), |x| format!("{x:+.4}"));
    let mut h = String::from(
        "<section id=\"attribution\">\n<h2>Which group carries the difference</h2>\n<ul>\n",
    );
    for metric in r.attribution_metrics() {
        let rows: Vec<_> = r
            .attribution
            .iter()
            .filter(|a| a.metric == metric)
            .collect();
        let Some(total) = rows.iter().find(|a| a.index == "total") else {
            continue;
        };
        let top = rows.iter().filter(|a| a.index == "shapley").max_by(|a, b| {
            let m = |x: &&&crate::report::results::SensitivityIndex| x.value.unwrap_or(0.0).abs();
            m(a).total_cmp(&m(b))
        });
        let Some(top) = top else { continue };
        let share = match (top.value, total.value, total.ci_low, total.ci_high) {
            (Some(v), Some(t), Some(lo), Some(hi)) => {
                match crate::experiment::decomposition::share_percent(v, t, lo, hi) {
                    Some(p) => format!(" ({p:.0}% of it)"),
                    None if v.abs() > t.abs() => {
                        " (more than the difference: other groups pull the other way)".into()
                    }
                    None => String::new(),
                }
            }
            _ => String::new(),
        };
        let _ = writeln!(
            h,
            "<li>{}: TARGET − BASE {} [{}, {}]; <b>{}</b> carries the most, {} [{}, {}]{}.</li>",
            escape(crate::metrics::metric_info(metric).map_or(metric, |m| m.label)),
            fmt(total.value),
            fmt(total.ci_low),
            fmt(total.ci_high),
            escape(&top.parameter),
            fmt(top.value),
            fmt(top.ci_low),
            fmt(top.ci_high),
            share
        );
    }
    h.push_str("</ul>\n<p class=\"small\">Shapley values over every combination of the groups, with paired replications; they add up to the difference (<code>attribution.csv</code>, <code>interactions.csv</code>).</p>\n</section>\n");
    h
}

fn summary_section(r: &Results) -> String {
    use crate::metrics::metric_info;
    let mut h = String::from("<section id=\"summary\">\n<h2>Summary</h2>\n");
    if r.sensitivity() {
        h.push_str("<p class=\"small\">Generated from the indices below: for each metric, the lever with the largest index and the next one.</p>\n<ul>\n");
        let main = if r
            .manifest
            .sensitivity
            .as_ref()
            .is_some_and(|s| s.method == "morris")
        {
            "mu_star"
        } else {
            "ST"
        };
        let shown = if main == "mu_star" { "μ*" } else { main };
        let mut metrics: Vec<&str> = r.indices.iter().map(|i| i.metric.as_str()).collect();
        metrics.dedup();
        for metric in metrics {
            let mut ranked: Vec<&crate::report::results::SensitivityIndex> = r
                .indices
                .iter()
                .filter(|i| i.metric == metric && i.index == main && i.value.is_some())
                .collect();
            ranked.sort_by(|a, b| {
                b.value
                    .partial_cmp(&a.value)
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            let Some(top) = ranked.first() else { continue };
            let label = metric_info(metric).map_or(metric, |m| m.label);
            let _ = write!(
                h,
                "<li><b>{}</b>: <code>{}</code> has the largest {shown}, {} [{}, {}]",
                escape(label),
                escape(&top.parameter),
                fmt(top.value),
                fmt(top.ci_low),
                fmt(top.ci_high)
            );
            if let Some(next) = ranked.get(1) {
                let overlap =
                    matches!((top.ci_low, next.ci_high), (Some(lo), Some(hi)) if lo <= hi);
                let _ = write!(
                    h,
                    "; next <code>{}</code>, {} [{}, {}]{}",
                    escape(&next.parameter),
                    fmt(next.value),
                    fmt(next.ci_low),
                    fmt(next.ci_high),
                    if overlap {
                        " (the intervals overlap: which of the two matters more is not established)"
                    } else {
                        ""
                    }
                );
            }
            h.push_str(".</li>\n");
        }
        h.push_str("</ul>\n</section>\n");
        return h;
    }
    if r.contrast() {
        h.push_str(&contrast_summary(r));
        h.push_str("</section>\n");
        return h;
    }
    let n_points = r.manifest.points.len();
    if n_points < 2 {
        h.push_str("<p>One point only: nothing to compare.</p>\n</section>\n");
        return h;
    }
    if !r.sweep() {
        h.push_str(&headline(r));
    }
    let _ = writeln!(
        h,
        "<p class=\"small\">Generated from the findings below: for each key metric that has a better direction, the {} with the best mean, and its paired difference from the runner-up and from the baseline over the same replications (95% intervals).</p>\n<ul>",
        if r.sweep() { "point" } else { "scenario" }
    );
    for metric in metrics_where(|m| m.key) {
        let Some(info) = metric_info(metric) else {
            continue;
        };
        let Some(sign) = info.direction.sign() else {
            continue;
        };
        let mut ranked: Vec<(usize, f64)> = (0..n_points)
            .filter_map(|p| Some((p, r.estimate(p, metric)?.mean?)))
            .collect();
        // Best first; equal means keep the file's order.
        ranked.sort_by(|a, b| (sign * b.1).total_cmp(&(sign * a.1)));
        let Some(&(best, _)) = ranked.first() else {
            continue;
        };
        let better = if sign > 0.0 { "higher" } else { "lower" };
        let _ = write!(
            h,
            "<li><b>{}</b> ({better} is better): ",
            escape(info.label)
        );
        let runner_up = ranked.get(1).map(|&(p, _)| p);
        let lead = runner_up.and_then(|q| Some((q, r.paired(best, q, metric)?)));
        match lead {
            Some((q, d)) => {
                let e = &d.estimate;
                let apart = e.ci_low.is_finite() && (e.ci_low > 0.0 || e.ci_high < 0.0);
                let (verb, against) = if apart {
                    ("does best", "; ahead of")
                } else {
                    ("has the best mean", ", but is not told apart from")
                };
                let _ = write!(
                    h,
                    "{} {verb}, {}{against} {}, difference {}",
                    point_name(r, best),
                    interval(r.estimate(best, metric)),
                    point_name(r, q),
                    signed_interval(&d)
                );
                let _ = write!(h, " (paired, {} replications)", e.n);
            }
            None => {
                let _ = write!(
                    h,
                    "{} has the best mean, {}",
                    point_name(r, best),
                    interval(r.estimate(best, metric))
                );
            }
        }
        if best != 0
            && runner_up != Some(0)
            && let Some(d) = r.paired(best, 0, metric)
        {
            let _ = write!(
                h,
                "; {} against the baseline {}",
                signed_interval(&d),
                point_name(r, 0)
            );
        }
        h.push_str(".</li>\n");
    }
    h.push_str("</ul>\n</section>\n");
    h
}

/// One sentence before the bullets (issue 29, item 4): which scenario
/// resolves the most issues, by how much against the baseline (paired),
/// and how to find what that difference is made of.
fn headline(r: &Results) -> String {
    let metric = "resolution_rate";
    let labels = r.labels();
    let Some((best, mean)) = (0..labels.len())
        .filter_map(|p| Some((p, r.estimate(p, metric)?.mean?)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
    else {
        return String::new();
    };
    let mut h = format!(
        "<p id=\"headline\"><b>{}</b> resolves the most issues, {mean:.3}",
        escape(&labels[best])
    );
    if best != 0
        && let Some(d) = r.paired(best, 0, metric)
    {
        let e = &d.estimate;
        let base = r
            .estimate(0, metric)
            .and_then(|e| e.mean)
            .map_or("NA".into(), |m| format!("{m:.3}"));
        let apart = e.ci_low > 0.0 || e.ci_high < 0.0;
        let _ = write!(
            h,
            " against {base} for the baseline <b>{}</b>: {} (paired, {} replications){}",
            escape(&labels[0]),
            signed_interval(&d),
            e.n,
            if apart {
                ""
            } else {
                ", which replication noise does not tell apart from no difference"
            }
        );
        let path = |p: usize| {
            r.manifest
                .points
                .get(p)
                .map_or(String::new(), |point| escape(&point.path))
        };
        let _ = write!(
            h,
            ". Which of the levers in which they differ carry it: <code>govsim decompose {} {}</code>.</p>",
            path(0),
            path(best)
        );
    } else {
        h.push_str(", the baseline itself.</p>");
    }
    h.push('\n');
    h
}

/// The answer of a sweep of several scenarios: for each key metric with a
/// better direction and each scenario after the baseline, its paired
/// difference from the baseline at the lowest and the highest point of
/// the design, and at how many points it is better or worse beyond
/// replication noise.
fn contrast_summary(r: &Results) -> String {
    use crate::metrics::metric_info;
    let scenarios = r.scenario_names();
    let m = &r.manifest;
    let mut h = format!(
        "<p class=\"small\">Generated from the contrasts below: each scenario minus <b>{}</b> at the same values of {}, paired by replication, 95% intervals.</p>\n<ul>\n",
        escape(&scenarios[0]),
        m.varied
            .iter()
            .map(|v| format!("<code>{}</code>", escape(v)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for metric in metrics_where(|m| m.key) {
        let Some(info) = metric_info(metric) else {
            continue;
        };
        let Some(sign) = info.direction.sign() else {
            continue;
        };
        for scenario in &scenarios[1..] {
            let rows: Vec<(usize, f64, f64, f64)> = (0..m.points.len())
                .filter(|&p| m.points[p].label == *scenario)
                .filter_map(|p| {
                    let d = r.difference(p, metric)?;
                    Some((p, d.diff?, d.ci_low?, d.ci_high?))
                })
                .collect();
            let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
                continue;
            };
            let better = rows
                .iter()
                .filter(|d| if sign > 0.0 { d.2 > 0.0 } else { d.3 < 0.0 })
                .count();
            let worse = rows
                .iter()
                .filter(|d| if sign > 0.0 { d.3 < 0.0 } else { d.2 > 0.0 })
                .count();
            let at = |p: usize| escape(&m.points[p].values.join(", "));
            let _ = writeln!(
                h,
                "<li><b>{}</b> ({} is better), <b>{}</b> − {}: {:+.3} [{:+.3}, {:+.3}] at {} to {:+.3} [{:+.3}, {:+.3}] at {}; better at {better}, worse at {worse} of {} points beyond replication noise.</li>",
                escape(info.label),
                if sign > 0.0 { "higher" } else { "lower" },
                escape(scenario),
                escape(&scenarios[0]),
                first.1,
                first.2,
                first.3,
                at(first.0),
                last.1,
                last.2,
                last.3,
                at(last.0),
                rows.len()
            );
        }
    }
    h.push_str("</ul>\n");
    h
}

fn metric_cell(name: &str) -> String {
    use crate::metrics::{Direction, metric_info};
    match metric_info(name) {
        Some(m) => {
            let better = match m.direction {
                Direction::HigherIsBetter => "; higher is better",
                Direction::LowerIsBetter => "; lower is better",
                Direction::Neither => "",
            };
            format!(
                "<b>{}</b><br><code>{}</code><br><span class=\"small\">{}{better}</span>",
                escape(m.label),
                escape(m.name),
                escape(m.unit)
            )
        }
        None => format!("<b>{}</b>", escape(name)),
    }
}

/// One plot as a figure with its caption, under `heading` if given.
fn figure(h: &mut String, plot: &Plot, heading: Option<&str>) {
    let heading = heading.map_or(String::new(), |t| format!("<h3>{}</h3>\n", escape(t)));
    let _ = writeln!(
        h,
        "<figure id=\"plot-{}\" class=\"plot\">\n{heading}{}\n<figcaption>{}</figcaption>\n</figure>",
        escape(&plot.stem),
        strip_xml_declaration(&plot.svg),
        escape(&plot.caption)
    );
}

fn strip_xml_declaration(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

/// The page of a calibration: the levers' posteriors, the posterior
/// predictive against the targets, the generations, every plot.
pub fn calibration_report_html(
    scenario: &str,
    priors: &[crate::analysis::calibrate::Prior],
    marginals: &[crate::analysis::calibrate::Marginal],
    generations: &[crate::analysis::calibrate::Generation],
    predictive: &[crate::report::plots::Predictive],
    plots: &[Plot],
) -> String {
    let mut h = String::new();
    h.push_str(&page_head("govsim calibrate", ""));
    let _ = writeln!(h, "<h1>govsim calibrate</h1>");
    let _ = writeln!(
        h,
        "<p class=\"small\">{}: ABC-SMC with uniform priors (docs/calibration.md), {} generations after the prior's. Intervals are 95% credible intervals of the last generation, given the priors' ranges, the targets and the tolerance reached.</p>",
        escape(scenario),
        generations.len().saturating_sub(1)
    );
    h.push_str("<section>\n<h2>Calibrated levers</h2>\n<table id=\"calibration\"><tr><th>lever</th><th>prior</th><th>mean</th><th>median</th><th>95% credible interval</th><th>width against the prior's</th><th>the data</th></tr>\n");
    for (p, m) in priors.iter().zip(marginals) {
        let (ratio, reading) = crate::analysis::calibrate::identification(p, m);
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td>{} to {}</td><td class=\"num\">{:.4}</td><td class=\"num\">{:.4}</td><td class=\"num\">[{:.4}, {:.4}]</td><td class=\"num\">{ratio:.2}</td><td>{reading}</td></tr>",
            escape(&p.name),
            p.lo,
            p.hi,
            m.mean,
            m.median,
            m.ci_low,
            m.ci_high
        );
    }
    h.push_str("</table>\n<p class=\"small\">Identification: the width of a lever's 95% credible interval against its prior's (1: the targets say nothing of it); <i>pinned</i> below 0.5, <i>partly</i> below 0.8 (identification.csv).</p>\n");
    if let Some(last) = generations.last().filter(|_| priors.len() > 1) {
        let c = crate::analysis::calibrate::correlations(last);
        h.push_str("<h2>Posterior correlations</h2>\n<p class=\"small\">Weighted correlations of the last generation's particles (correlations.csv): a strong one is a ridge along which the targets cannot tell the two levers apart.</p>\n<table id=\"correlations\"><tr><th></th>");
        for p in priors {
            let _ = write!(h, "<th><code>{}</code></th>", escape(&p.name));
        }
        h.push_str("</tr>\n");
        for (i, p) in priors.iter().enumerate() {
            let _ = write!(h, "<tr><td><code>{}</code></td>", escape(&p.name));
            for value in &c[i] {
                let _ = write!(h, "<td class=\"num\">{value:+.2}</td>");
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table>\n");
    }
    h.push_str("<h2>Targets and the posterior predictive</h2>\n<table id=\"predictive\"><tr><th>metric</th><th>target</th><th>simulated: median</th><th>simulated: 2.5% to 97.5%</th></tr>\n");
    for p in predictive {
        let mut v = p.simulated.clone();
        v.sort_by(f64::total_cmp);
        let q = |x: f64| {
            v.get(((v.len().max(1) - 1) as f64 * x).round() as usize)
                .copied()
                .unwrap_or(f64::NAN)
        };
        let target = match p.sd {
            Some(sd) => format!("{} ± {}", p.target, sd),
            None => format!("{}", p.target),
        };
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{:.4}</td><td class=\"num\">{:.4} to {:.4}</td></tr>",
            escape(&p.metric),
            escape(&target),
            q(0.5),
            q(0.025),
            q(0.975)
        );
    }
    h.push_str("</table>\n<h2>Generations</h2>\n<table id=\"generations\"><tr><th>generation</th><th>tolerance</th><th>proposals</th><th>acceptance</th><th>effective sample size</th></tr>\n");
    for g in generations {
        let _ = writeln!(
            h,
            "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.3}</td><td class=\"num\">{:.1}</td></tr>",
            g.index,
            if g.epsilon.is_finite() {
                format!("{:.4}", g.epsilon)
            } else {
                "—".into()
            },
            g.proposals,
            g.acceptance(),
            g.effective_size()
        );
    }
    h.push_str("</table>\n</section>\n<section>\n<h2>Plots</h2>\n");
    for plot in plots {
        figure(&mut h, plot, None);
    }
    h.push_str("</section>\n</body>\n</html>\n");
    h
}

/// The page of a validation (`govsim validate`): every claim with its
/// pattern, source, expected result, measurement and verdict, then each
/// pattern's description and note. Self-contained; all text escaped.
pub fn validation_report_html(
    patterns: &[crate::experiment::validation::Pattern],
    results: &[crate::experiment::validation::ClaimResult],
) -> String {
    use crate::experiment::validation as val;
    let mut h = String::new();
    h.push_str(&page_head(
        "govsim validate",
        "td.yes { color: #009E73; font-weight: bold; } td.no { color: #D55E00; font-weight: bold; }\n",
    ));
    let held = results
        .iter()
        .filter(|r| r.verdict.holds == Some(true))
        .count();
    let _ = writeln!(
        h,
        "<h1>govsim validate</h1>\n<p class=\"small\">{held} of {} claims of {} patterns hold (pattern-oriented validation, Grimm et al. 2005; docs/validation.md). Differences, trends and curvatures are computed within each replication (common random numbers) and given with 95% t intervals over the replications; a target's interval is the 2.5% to 97.5% range of the runs (predictive interval). A pattern that does not hold is a finding, not an error.</p>",
        results.len(),
        patterns.len()
    );
    h.push_str("<section>\n<h2>Claims</h2>\n<table id=\"validation\"><tr><th>pattern</th><th>kind</th><th>source</th><th>expected</th><th>tests</th><th>measured [95%]</th><th>runs</th><th>holds</th><th>verdict</th></tr>\n");
    let mut previous = "";
    for r in results {
        let p = patterns.iter().find(|p| p.stem == r.pattern);
        let word = val::holds_word(r.verdict.holds);
        // A pattern's name, kind and source on its first claim only.
        let first = previous != r.pattern;
        previous = &r.pattern;
        let p = p.filter(|_| first);
        let _ = writeln!(
            h,
            "<tr><td><a href=\"#{}\">{}</a></td><td>{}</td><td class=\"small\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
            escape(&r.pattern),
            escape(p.map_or("", |p| p.name.as_str())),
            p.map_or("", |p| p.kind.name()),
            escape(p.map_or("", |p| p.source.as_str())),
            escape(&r.claim.expected),
            r.claim.claim.tests(),
            escape(&val::measured(&r.verdict)),
            r.verdict.units,
            word,
            word,
            escape(r.verdict.reading)
        );
    }
    h.push_str("</table>\n</section>\n<section>\n<h2>Patterns</h2>\n");
    for p in patterns {
        let _ = writeln!(
            h,
            "<h3 id=\"{}\">{}</h3>\n<p>{}</p>\n<p class=\"small\">Source: {}. File: <code>{}</code>; {} points × {} replications{}; runs in <code>{}/</code>.</p>",
            escape(&p.stem),
            escape(&p.name),
            escape(&p.description),
            escape(&p.source),
            escape(&p.path.display().to_string()),
            p.scenarios,
            match p.plan.reps {
                crate::experiment::Reps::Fixed(n) => n,
                crate::experiment::Reps::Auto { max, .. } => max,
            },
            if p.draws > 1 {
                format!(" × {} posterior draws", p.draws)
            } else {
                String::new()
            },
            escape(&p.stem)
        );
        if !p.note.is_empty() {
            let _ = writeln!(h, "<p class=\"small\">Note: {}</p>", escape(&p.note));
        }
    }
    h.push_str("</section>\n</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn base64_matches_rfc_4648() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }
}
