//! Plots of an experiment, drawn from its results alone: time series with
//! bands, estimates and differences with interval whiskers, locals against
//! migrants, the AGIL functions, routes, and sweep response curves and heat
//! maps. Each plot is SVG text (for the report) and a PNG file. Text uses the
//! bundled DejaVu Sans, so plots look the same on every machine; colors are
//! the Okabe–Ito palette, one color per scenario everywhere.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::metrics::{CATALOGUE, metric_info};
use crate::report::png_backend::{PngBackend, encode_png};
use crate::report::results::Results;

/// The bundled font; its licence is `assets/fonts/LICENSE-DejaVu.txt`.
pub static FONT_BYTES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans.ttf"
));
/// Font family name used in plots (and declared by the report's CSS).
pub const FONT: &str = "DejaVu Sans";

/// Okabe–Ito, color-blind-safe; black last.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(240, 228, 66),  // yellow
    RGBColor(0, 0, 0),       // black
];

/// The color of scenario (point) `i`.
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The colour of each daily metric wherever one run's metrics are drawn:
/// a run's report and the live app (`GET /api/colours`), so that a class
/// that learns one reads the other (issue 29, item 6). Each kind of
/// organization keeps its colour from trust to the routes' shares: party
/// organizations reddish purple, government sky blue, social organizations
/// bluish green. Indices into [`PALETTE`]; distinct within each panel.
pub const METRIC_COLOURS: &[(&str, usize)] = &[
    ("resolution_rate", 0),
    ("cross_cutting_resolution_rate", 1),
    ("participation_rate_local", 0),
    ("participation_rate_migrant", 3),
    ("trust_party", 4),
    ("trust_government", 5),
    ("trust_social", 2),
    ("share_party_convened", 4),
    ("share_bureaucratic", 5),
    ("share_self_organized", 2),
    ("backlog", 7),
    ("party_legitimacy", 4),
    ("satisfaction_rate", 0),
];

/// A daily metric's colour ([`METRIC_COLOURS`]); `None` for a metric not
/// drawn day by day.
pub fn metric_color(metric: &str) -> Option<RGBColor> {
    METRIC_COLOURS
        .iter()
        .find(|(name, _)| *name == metric)
        .map(|&(_, i)| color(i))
}

/// `#rrggbb` of a colour, as a page writes it.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// Said under every plot over days whose vertical axis is fitted to the
/// data (issue 29, item 4): a trust line from 0.49 to 0.51 looks steep.
const ZOOMED: &str = "The vertical axis spans the data's range, not the metric's whole scale: read its numbers before judging a gap by its height.";

/// One plot: a file stem, a title, a caption for the report, and its
/// drawings. Drawing returns bytes; `crate::report` writes them.
#[derive(Debug, Clone)]
pub struct Plot {
    /// File stem (`plots/<stem>.svg` and `.png`).
    pub stem: String,
    /// Title.
    pub title: String,
    /// One sentence saying what to look at.
    pub caption: String,
    /// The SVG document.
    pub svg: String,
    /// The PNG file's bytes, when rasterised.
    pub png: Option<Vec<u8>>,
}

/// Whether plots are also rasterised to PNG (for people and documents) or
/// drawn as SVG only (what the report page embeds; much faster).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raster {
    /// SVG and PNG.
    Png,
    /// SVG only.
    SvgOnly,
}

/// One plot drawn: its SVG and, when rasterised, its PNG bytes.
struct Drawn {
    svg: String,
    png: Option<Vec<u8>>,
}

pub(crate) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bundled font is known to be valid; a failure would show as missing text.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES);
    });
}

type Area<DB> = DrawingArea<DB, Shift>;
type DrawResult = Result<(), String>;
/// A chart with two continuous axes, as `day_chart` and `row_chart` build.
type XyChart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// A drawing error in words (plotters' errors show their cause, e.g. the
/// I/O error of a full disk).
fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A drawing function, run once on an SVG string and once on a PNG file.
type Draw<'a> = dyn Fn(&Area<SVGBackend>) -> DrawResult + 'a;
type DrawPng<'a> = dyn Fn(&Area<PngBackend>) -> DrawResult + 'a;

/// The largest plot drawn: 4,000 × 12,000 pixels (a 144 MB bitmap).
const MAX_PLOT_SIZE: (u32, u32) = (4_000, 12_000);

/// `size` within [`MAX_PLOT_SIZE`], and at least a pixel each way.
fn bounded_size(size: (u32, u32)) -> (u32, u32) {
    (
        size.0.clamp(1, MAX_PLOT_SIZE.0),
        size.1.clamp(1, MAX_PLOT_SIZE.1),
    )
}

/// Renders one plot to SVG and, with [`Raster::Png`], to PNG bytes.
fn render(
    size: (u32, u32),
    raster: Raster,
    svg_draw: &Draw,
    png_draw: &DrawPng,
) -> Result<Drawn, String> {
    register_font();
    // Sizes grow with what a folder lists (scenarios, metrics): bounded, so
    // that a hand-edited manifest of 40,000 points cannot ask for a
    // gigabyte bitmap (issue 29, item 11); past it the drawing is squeezed.
    let size = bounded_size(size);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        svg_draw(&root)?;
        root.present().map_err(err)?;
    }
    let mut png = None;
    if raster == Raster::Png {
        // Drawn into memory and encoded there; written whole by the export
        // wing through a temporary file (fsync, rename).
        let mut pixels = vec![0u8; size.0 as usize * size.1 as usize * 3];
        {
            let backend = PngBackend::new(&mut pixels, size, FONT_BYTES)
                .ok_or("the bundled font does not parse")?;
            let root = backend.into_drawing_area();
            root.fill(&WHITE).map_err(err)?;
            png_draw(&root)?;
            root.present().map_err(err)?;
        }
        png = Some(encode_png(&pixels, size).map_err(|e| format!("encoding PNG: {e}"))?);
    }
    Ok(Drawn { svg, png })
}

/// Runs the same drawing code on both backends.
macro_rules! plot {
    ($size:expr, $png:expr, |$area:ident| $body:block) => {{
        let svg_draw = |$area: &Area<SVGBackend>| -> DrawResult { $body };
        let png_draw = |$area: &Area<PngBackend>| -> DrawResult { $body };
        render($size, $png, &svg_draw, &png_draw)
    }};
}

/// A plot to draw later, as [`plot!`] draws it now: the drawing, to run
/// on any thread.
type Drawing<'a> = Box<dyn Fn() -> Result<Drawn, String> + Send + Sync + 'a>;

/// [`plot!`], as a [`Drawing`] to run later.
macro_rules! later {
    ($size:expr, $png:expr, |$area:ident| $body:block) => {
        Box::new(move || plot!($size, $png, |$area| $body))
    };
}

/// A plot listed to be drawn: what the page says of it, and its drawing.
struct Listed<'a> {
    stem: String,
    title: String,
    caption: String,
    draw: Drawing<'a>,
}

/// Draws the listed plots, in parallel, in list order.
fn draw_all(listed: Vec<Listed<'_>>) -> Result<Vec<Plot>, String> {
    use rayon::prelude::*;
    listed
        .into_par_iter()
        .map(|listed| {
            let drawn = (listed.draw)()?;
            Ok(Plot {
                stem: listed.stem,
                title: listed.title,
                caption: listed.caption,
                svg: drawn.svg,
                png: drawn.png,
            })
        })
        .collect()
}

/// A metric's label for readers (the catalogue's), or its name.
fn label(metric: &str) -> String {
    metric_info(metric).map_or_else(|| metric.to_string(), |m| m.label.to_string())
}

fn font(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

/// Metrics drawn over time: name, title and axis label (the metric catalogue).
fn series() -> Vec<(&'static str, &'static str, &'static str)> {
    CATALOGUE
        .iter()
        .filter_map(|m| m.series.map(|axis| (m.name, m.label, axis)))
        .collect()
}

/// Run-level metrics shown as estimates and differences, with their units
/// (the metric catalogue).
fn estimates() -> Vec<(&'static str, &'static str)> {
    CATALOGUE
        .iter()
        .filter(|m| m.estimate)
        .map(|m| (m.name, m.unit))
        .collect()
}

fn range_of(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(1e-3 * hi.abs().max(1.0));
    (lo - pad, hi + pad)
}

fn time_series<DB: DrawingBackend>(
    r: &Results,
    metric: &str,
    title: &str,
    unit: &str,
    area: &Area<DB>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let labels = r.labels();
    // Intervals of shares are drawn inside [0, 1], where the metric lives.
    let bounded = metric_info(metric).is_some_and(|m| m.bounds.is_some());
    let clamp = |v: f64| {
        if bounded {
            v.clamp(0.0, 1.0)
        } else {
            v.max(0.0)
        }
    };
    let owned: Vec<(usize, crate::report::results::Band)> = (0..labels.len())
        .filter_map(|p| {
            let band = r.series.get(&(p, metric.to_string()))?;
            Some((
                p,
                band.iter()
                    .map(|&(d, m, lo, hi)| (d, m, clamp(lo), clamp(hi)))
                    .collect(),
            ))
        })
        .collect();
    let bands: Vec<(usize, &crate::report::results::Band)> =
        owned.iter().map(|(p, b)| (*p, b)).collect();
    let first_day = bands
        .iter()
        .flat_map(|(_, b)| b.iter().map(|x| x.0))
        .fold(f64::INFINITY, f64::min);
    let last_day = bands
        .iter()
        .flat_map(|(_, b)| b.iter().map(|x| x.0))
        .fold(f64::NEG_INFINITY, f64::max);
    let days = if first_day < last_day {
        (first_day, last_day)
    } else {
        (0.0, 1.0)
    };
    let ys = range_of(
        bands
            .iter()
            .flat_map(|(_, b)| b.iter().flat_map(|x| [x.2, x.3])),
    );
    // The legend gets its own strip on the right, so it never covers a line.
    let (plot_area, legend_area) =
        area.split_horizontally(area.dim_in_pixel().0.saturating_sub(190));
    legend(
        &legend_area,
        &bands.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
        &labels,
    )?;
    let mut chart = day_chart(
        &plot_area,
        &format!("{title}: mean and 95% band over replications"),
        unit,
        days,
        ys,
    )?;
    for &(p, _) in &bands {
        if let Some(Some(resolved)) = r.scenarios.get(p) {
            mark_days(&mut chart, &policy_days(resolved), ys, color(p))?;
        }
    }
    for &(p, band) in &bands {
        let c = color(p);
        let mut outline: Vec<(f64, f64)> = band.iter().map(|x| (x.0, x.2)).collect();
        outline.extend(band.iter().rev().map(|x| (x.0, x.3)));
        chart
            .draw_series(std::iter::once(Polygon::new(outline, c.mix(0.18).filled())))
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                band.iter().map(|x| (x.0, x.1)),
                c.stroke_width(2),
            ))
            .map_err(err)?;
    }
    Ok(())
}

/// The days of the `[[policy]]` entries of a resolved scenario's TOML.
fn policy_days(resolved: &str) -> Vec<f64> {
    let Ok(value) = resolved.parse::<toml::Table>() else {
        return Vec::new();
    };
    value
        .get("policy")
        .and_then(|p| p.as_array())
        .map(|entries| {
            entries
                .iter()
                .filter_map(|e| e.get("day")?.as_integer())
                .map(|d| d as f64)
                .collect()
        })
        .unwrap_or_default()
}

/// The sentence of a run plot's caption on its reforms, if any.
fn policy_caption(policies: &[crate::store::manifest::PolicyMark]) -> String {
    if policies.is_empty() {
        return String::new();
    }
    let list: Vec<String> = policies
        .iter()
        .map(|p| format!("day {} ({})", p.day, p.name))
        .collect();
    format!(
        " Grey vertical lines mark the reforms: {}.",
        list.join(", ")
    )
}

/// Thin vertical lines at `days` (reforms' days) in `color`.
fn mark_days<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    days: &[f64],
    ys: (f64, f64),
    color: RGBColor,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    for &d in days {
        chart
            .draw_series(LineSeries::new(
                [(d, ys.0), (d, ys.1)],
                color.mix(0.7).stroke_width(1),
            ))
            .map_err(err)?;
    }
    Ok(())
}

/// A chart over the days of a run, its axes and grid drawn: `days` and `ys`
/// its ranges, `unit` the y axis's label.
fn day_chart<'a, DB: DrawingBackend>(
    area: &'a Area<DB>,
    title: &str,
    unit: &str,
    days: (f64, f64),
    ys: (f64, f64),
) -> Result<XyChart<'a, DB>, String>
where
    DB::ErrorType: 'static,
{
    let mut chart = ChartBuilder::on(area)
        .caption(title, font(20))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(days.0..days.1, ys.0..ys.1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("day of the run")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc(unit)
        .label_style(font(13))
        .axis_desc_style(font(14))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// A legend of scenario colors drawn in its own area.
fn legend<DB: DrawingBackend>(area: &Area<DB>, points: &[usize], labels: &[String]) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let rows: Vec<(RGBColor, &str)> = points
        .iter()
        .map(|&p| (color(p), labels[p].as_str()))
        .collect();
    legend_rows(area, &rows)
}

/// A legend of coloured lines, one row each, in the order given.
fn legend_rows<DB: DrawingBackend>(area: &Area<DB>, rows: &[(RGBColor, &str)]) -> DrawResult
where
    DB::ErrorType: 'static,
{
    for (row, &(c, label)) in rows.iter().enumerate() {
        let y = 60 + 24 * row as i32;
        area.draw(&PathElement::new(
            vec![(6, y + 7), (28, y + 7)],
            c.stroke_width(4),
        ))
        .map_err(err)?;
        let name: String = label.chars().take(22).collect();
        area.draw(&Text::new(name, (34, y), font(13)))
            .map_err(err)?;
    }
    Ok(())
}

/// Horizontal rows of dots with whiskers: one row per item, on a numeric x,
/// first item on top. A row without a value keeps its place, empty.
struct Row {
    label: String,
    color: RGBColor,
    value: Option<f64>,
    low: f64,
    high: f64,
    filled: bool,
}

/// A chart of labelled rows (the first on top) over `lo..hi`: its axes,
/// row labels and, with `zero_line`, a line at 0, for whisker panels and
/// waterfalls alike.
fn row_chart<'a, DB: DrawingBackend>(
    area: &'a Area<DB>,
    title: &str,
    x_desc: &str,
    labels: &[&str],
    (lo, hi): (f64, f64),
    zero_line: bool,
) -> Result<XyChart<'a, DB>, String>
where
    DB::ErrorType: 'static,
{
    let n = labels.len().max(1);
    let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(8) as u32 * 8 + 10;
    let mut chart = ChartBuilder::on(area)
        .caption(title, font(16))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(label_width.min(220))
        .build_cartesian_2d(lo..hi, -0.5..(n as f64 - 0.5))
        .map_err(err)?;
    // The first row is drawn on top.
    let names: Vec<String> = labels.iter().rev().map(|l| l.to_string()).collect();
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_labels(n)
        .y_label_formatter(&|y| category_at(&names, *y))
        .label_style(font(12))
        .axis_desc_style(font(13))
        .light_line_style(WHITE.mix(0.0))
        .x_labels(5)
        .draw()
        .map_err(err)?;
    if zero_line {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                BLACK.mix(0.5),
            )))
            .map_err(err)?;
    }
    Ok(chart)
}

fn whisker_panel<DB: DrawingBackend>(
    area: &Area<DB>,
    title: &str,
    x_desc: &str,
    rows: &[Row],
    zero_line: bool,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    if rows.iter().all(|r| r.value.is_none()) {
        area.titled(title, font(16)).map_err(err)?;
        let (w, h) = area.dim_in_pixel();
        let text = "not defined for these scenarios";
        area.draw(&Text::new(
            text,
            (w as i32 / 2 - 110, h as i32 / 2 - 20),
            font(13),
        ))
        .map_err(err)?;
        return Ok(());
    }
    let (mut lo, mut hi) = range_of(
        rows.iter()
            .flat_map(|r| [r.low, r.high, r.value.unwrap_or(f64::NAN)]),
    );
    if zero_line {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let n = rows.len().max(1);
    let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
    let mut chart = row_chart(area, title, x_desc, &labels, (lo, hi), zero_line)?;
    for (i, r) in rows.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        let Some(value) = r.value else { continue };
        if r.low.is_finite() && r.high.is_finite() {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(r.low, y), (r.high, y)],
                    r.color.stroke_width(2),
                )))
                .map_err(err)?;
            for end in [r.low, r.high] {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(end, y - 0.15), (end, y + 0.15)],
                        r.color.stroke_width(2),
                    )))
                    .map_err(err)?;
            }
        }
        let style = if r.filled {
            r.color.filled()
        } else {
            r.color.stroke_width(2)
        };
        chart
            .draw_series(std::iter::once(Circle::new((value, y), 5, style)))
            .map_err(err)?;
    }
    Ok(())
}

/// One metric's waterfall from BASE (0) to TARGET − BASE: each group's
/// Shapley value a bar from the sum of those above it, its 95% interval a
/// whisker at the bar's end, dotted steps between bars; the last row, the
/// difference itself, a bar from 0 (issue 29, item 5).
fn waterfall_panel<DB: DrawingBackend>(
    area: &Area<DB>,
    title: &str,
    groups: &[Row],
    total: &Row,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    if groups.iter().chain([total]).all(|r| r.value.is_none()) {
        return whisker_panel(area, title, "contribution", &[], true);
    }
    // The start of each group's bar: the sum of the groups above it.
    let mut starts = Vec::with_capacity(groups.len());
    let mut sum = 0.0;
    for g in groups {
        starts.push(sum);
        sum += g.value.unwrap_or(0.0);
    }
    let (mut lo, mut hi) = range_of(
        groups
            .iter()
            .zip(&starts)
            .flat_map(|(g, &s)| [s, s + g.value.unwrap_or(0.0), s + g.low, s + g.high])
            .chain([total.low, total.high, total.value.unwrap_or(0.0), sum]),
    );
    lo = lo.min(0.0);
    hi = hi.max(0.0);
    let n = groups.len() + 1;
    let rows: Vec<&Row> = groups.iter().chain([total]).collect();
    let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
    let mut chart = row_chart(
        area,
        title,
        "contribution to TARGET − BASE (bars add up from 0)",
        &labels,
        (lo, hi),
        true,
    )?;
    for (i, (row, start)) in rows
        .iter()
        .zip(starts.iter().copied().chain([0.0]))
        .enumerate()
    {
        let y = (n - 1 - i) as f64;
        let Some(value) = row.value else { continue };
        let end = start + value;
        let fill = if row.filled {
            row.color.mix(0.85).filled()
        } else {
            row.color.mix(0.3).filled()
        };
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(start.min(end), y - 0.3), (start.max(end), y + 0.3)],
                fill,
            )))
            .map_err(err)?;
        // The interval of the group's value, placed where its bar ends.
        let (low, high) = (start + row.low, start + row.high);
        if low.is_finite() && high.is_finite() {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(low, y), (high, y)],
                    BLACK.stroke_width(2),
                )))
                .map_err(err)?;
            for x in [low, high] {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x, y - 0.12), (x, y + 0.12)],
                        BLACK.stroke_width(2),
                    )))
                    .map_err(err)?;
            }
        }
        // A step to the next group's bar.
        if i + 1 < groups.len() {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(end, y - 0.3), (end, y - 0.7)],
                    3,
                    3,
                    BLACK.mix(0.6).stroke_width(1),
                ))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// A decomposition: per metric, a waterfall of each group's Shapley value
/// with its interval, from BASE to the difference they add up to.
fn attribution_plot<DB: DrawingBackend>(r: &Results, area: &Area<DB>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let metrics = r.attribution_metrics();
    let (rows, cols) = panel_grid(metrics.len());
    let panels = split_grid(
        area,
        "From BASE to TARGET: each group's Shapley contribution (bar) and its 95% interval (whisker)",
        rows,
        cols,
    )?;
    for (panel, metric) in panels.iter().zip(&metrics) {
        let of_metric: Vec<&crate::report::results::SensitivityIndex> = r
            .attribution
            .iter()
            .filter(|a| a.metric == *metric)
            .collect();
        let row = |i: usize, a: &crate::report::results::SensitivityIndex| {
            let total = a.index == "total";
            let lo = a.ci_low.unwrap_or(f64::NAN);
            let hi = a.ci_high.unwrap_or(f64::NAN);
            Row {
                label: if total {
                    "TARGET − BASE".into()
                } else {
                    a.parameter.clone()
                },
                color: if total { BLACK } else { color(i + 1) },
                value: a.value,
                low: lo,
                high: hi,
                filled: lo > 0.0 || hi < 0.0,
            }
        };
        let rows: Vec<Row> = of_metric
            .iter()
            .enumerate()
            .map(|(i, a)| row(i, a))
            .collect();
        let (totals, groups): (Vec<Row>, Vec<Row>) =
            rows.into_iter().partition(|r| r.label == "TARGET − BASE");
        match totals.first() {
            Some(total) => waterfall_panel(panel, &label(metric), &groups, total)?,
            None => whisker_panel(panel, &label(metric), "contribution", &groups, true)?,
        }
    }
    Ok(())
}

/// A decomposition's interactions: per metric, the Shapley interaction
/// index of each pair of groups, red where the pair does more together
/// than apart, blue where less.
fn interactions_plot<DB: DrawingBackend>(r: &Results, area: &Area<DB>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let metrics = r.attribution_metrics();
    let mut groups: Vec<&str> = Vec::new();
    for (_, a, b, _) in &r.interactions {
        for g in [a, b] {
            if !groups.contains(&g.as_str()) {
                groups.push(g);
            }
        }
    }
    let (rows, cols) = panel_grid(metrics.len());
    let panels = split_grid(
        area,
        "Interaction of each pair of groups (Shapley interaction index); red: more together than apart; full colour: as large as TARGET − BASE",
        rows,
        cols,
    )?;
    let k = groups.len();
    for (panel, metric) in panels.iter().zip(&metrics) {
        let cells: Vec<(usize, usize, f64)> = r
            .interactions
            .iter()
            .filter(|(m, ..)| m == metric)
            .filter_map(|(_, a, b, v)| {
                let i = groups.iter().position(|g| g == a)?;
                let j = groups.iter().position(|g| g == b)?;
                Some((i, j, (*v)?))
            })
            .collect();
        // One scale for every panel (issue 29, item 5): an interaction
        // against the difference it is part of, full colour at its size.
        let scale = r
            .attribution
            .iter()
            .find(|a| a.metric == *metric && a.index == "total")
            .and_then(|a| a.value)
            .map_or(f64::MIN_POSITIVE, f64::abs)
            .max(f64::MIN_POSITIVE);
        let names: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        let mut chart = ChartBuilder::on(panel)
            .caption(label(metric), font(14))
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(90)
            .build_cartesian_2d(-0.5..(k as f64 - 0.5), -0.5..(k as f64 - 0.5))
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_labels(k)
            .y_labels(k)
            .x_label_formatter(&|x| category_at(&names, *x))
            .y_label_formatter(&|y| category_at(&names, *y))
            .label_style(font(11))
            .disable_mesh()
            .draw()
            .map_err(err)?;
        for &(i, j, v) in &cells {
            let t = (v.abs() / scale).min(1.0);
            let c = if v >= 0.0 {
                RGBColor(255, (255.0 * (1.0 - t)) as u8, (255.0 * (1.0 - t)) as u8)
            } else {
                RGBColor((255.0 * (1.0 - t)) as u8, (255.0 * (1.0 - t)) as u8, 255)
            };
            for (x, y) in [(i, j), (j, i)] {
                let (x, y) = (x as f64, y as f64);
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                        c.filled(),
                    )))
                    .map_err(err)?;
                let text = if v != 0.0 && v.abs() < 0.01 {
                    format!("{v:+.1e}")
                } else {
                    format!("{v:+.3}")
                };
                let ink = if t > 0.6 { WHITE } else { BLACK };
                chart
                    .draw_series(std::iter::once(Text::new(
                        text,
                        (x - 0.25, y),
                        font(11).color(&ink),
                    )))
                    .map_err(err)?;
            }
        }
    }
    Ok(())
}

fn split_grid<DB: DrawingBackend>(
    area: &Area<DB>,
    title: &str,
    rows: usize,
    cols: usize,
) -> Result<Vec<Area<DB>>, String> {
    let (top, body) = area.split_vertically(40);
    top.draw_text(title, &font(20).into_text_style(&top), (12, 10))
        .map_err(err)?;
    Ok(body.split_evenly((rows, cols)))
}

fn estimates_plot<DB: DrawingBackend>(r: &Results, area: &Area<DB>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let labels = r.labels();
    let panels = split_grid(
        area,
        "Run-level metrics per scenario: mean and 95% interval",
        2,
        3,
    )?;
    for (panel, (metric, unit)) in panels.iter().zip(estimates()) {
        let rows: Vec<Row> = (0..labels.len())
            .map(|p| {
                let e = r.estimate(p, metric);
                Row {
                    label: labels[p].clone(),
                    color: color(p),
                    value: e.and_then(|e| e.mean),
                    low: e.and_then(|e| e.ci_low).unwrap_or(f64::NAN),
                    high: e.and_then(|e| e.ci_high).unwrap_or(f64::NAN),
                    filled: true,
                }
            })
            .collect();
        whisker_panel(panel, &label(metric), unit, &rows, false)?;
    }
    Ok(())
}

fn differences_plot<DB: DrawingBackend>(r: &Results, area: &Area<DB>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let labels = r.labels();
    let title = format!(
        "Paired differences against {} (baseline): mean and 95% interval",
        labels[0]
    );
    let panels = split_grid(area, &title, 2, 3)?;
    for (panel, (metric, unit)) in panels.iter().zip(estimates()) {
        let rows: Vec<Row> = (1..labels.len())
            .map(|p| {
                let d = r.difference(p, metric);
                let lo = d.and_then(|d| d.ci_low).unwrap_or(f64::NAN);
                let hi = d.and_then(|d| d.ci_high).unwrap_or(f64::NAN);
                Row {
                    label: labels[p].clone(),
                    color: color(p),
                    value: d.and_then(|d| d.diff),
                    low: lo,
                    high: hi,
                    // Hollow where the interval includes zero.
                    filled: lo > 0.0 || hi < 0.0,
                }
            })
            .collect();
        whisker_panel(
            panel,
            &label(metric),
            &format!("difference in {unit}"),
            &rows,
            true,
        )?;
    }
    Ok(())
}

/// Grouped bars with interval whiskers: for each scenario, one bar per group.
fn bar_panel<DB: DrawingBackend>(
    area: &Area<DB>,
    title: &str,
    y_desc: &str,
    labels: &[String],
    groups: &[&str],
    value: &dyn Fn(usize, usize) -> Option<(f64, f64, f64)>,
    shade: &dyn Fn(usize, usize) -> ShapeStyle,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = labels.len();
    let g = groups.len();
    let top = (0..n)
        .flat_map(|p| (0..g).filter_map(move |k| value(p, k).map(|v| v.2.max(v.0))))
        .fold(0.0f64, f64::max);
    let top = if top <= 0.0 { 1.0 } else { top * 1.12 };
    let mut chart = ChartBuilder::on(area)
        .caption(title, font(16))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..top)
        .map_err(err)?;
    let names = labels.to_vec();
    chart
        .configure_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| category_at(&names, *x))
        .y_desc(y_desc)
        .label_style(font(12))
        .axis_desc_style(font(13))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(err)?;
    let width = 0.8 / g as f64;
    for p in 0..n {
        for (k, group) in groups.iter().enumerate() {
            let Some((mean, lo, hi)) = value(p, k) else {
                continue;
            };
            let x0 = p as f64 - 0.4 + k as f64 * width;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x0 + 0.02, 0.0), (x0 + width - 0.02, mean)],
                    shade(p, k),
                )))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x0 + 0.02, 0.0), (x0 + width - 0.02, mean)],
                    BLACK.mix(0.5).stroke_width(1),
                )))
                .map_err(err)?;
            if lo.is_finite() && hi.is_finite() {
                let xm = x0 + width / 2.0;
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(xm, lo), (xm, hi)],
                        BLACK.stroke_width(1),
                    )))
                    .map_err(err)?;
            }
            chart
                .draw_series(std::iter::once(Text::new(
                    group.to_string(),
                    (x0 + 0.03, mean + top * 0.02),
                    font(11),
                )))
                .map_err(err)?;
        }
    }
    Ok(())
}

fn triple(r: &Results, p: usize, metric: &str) -> Option<(f64, f64, f64)> {
    let e = r.estimate(p, metric)?;
    let m = e.mean?;
    Some((
        m,
        e.ci_low.unwrap_or(f64::NAN),
        e.ci_high.unwrap_or(f64::NAN),
    ))
}

fn equity_plot<DB: DrawingBackend>(r: &Results, area: &Area<DB>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let labels = r.labels();
    let panels = split_grid(
        area,
        "Locals (L, solid) and migrants (M, light): mean and 95% interval",
        1,
        2,
    )?;
    let shade = |p: usize, k: usize| {
        if k == 0 {
            color(p).filled()
        } else {
            color(p).mix(0.35).filled()
        }
    };
    bar_panel(
        &panels[0],
        "Participation",
        "share of residents taking part on a day",
        &labels,
        &["L", "M"],
        &|p, k| {
            triple(
                r,
                p,
                ["participation_rate_local", "participation_rate_migrant"][k],
            )
        },
        &shade,
    )?;
    bar_panel(
        &panels[1],
        "Resolution of the issues they report",
        "share of closed issues resolved",
        &labels,
        &["L", "M"],
        &|p, k| {
            triple(
                r,
                p,
                ["resolution_rate_local", "resolution_rate_migrant"][k],
            )
        },
        &shade,
    )
}

fn agil_plot<DB: DrawingBackend>(r: &Results, area: &Area<DB>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let labels = r.labels();
    let panels = split_grid(
        area,
        "AGIL functions per scenario: mean and 95% interval (index 0–1)",
        2,
        2,
    )?;
    let functions = [
        (
            "agil_adaptation",
            "A — adaptation: effort mobilized beyond own capacity",
        ),
        (
            "agil_goal_attainment",
            "G — goal attainment: quality-weighted resolution",
        ),
        (
            "agil_integration",
            "I — integration: cross-cutting issues resolved jointly",
        ),
        (
            "agil_latency",
            "L — latency: trust × participation persistence",
        ),
    ];
    for (panel, (metric, title)) in panels.iter().zip(functions) {
        bar_panel(
            panel,
            title,
            "index (0–1)",
            &labels,
            &[""],
            &|p, _| triple(r, p, metric),
            &|p, _| color(p).filled(),
        )?;
    }
    Ok(())
}

fn routes_plot<DB: DrawingBackend>(r: &Results, area: &Area<DB>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let labels = r.labels();
    let n = labels.len();
    let routes = [
        (
            "share_party_convened",
            "party-convened",
            RGBColor(60, 60, 60),
        ),
        (
            "share_self_organized",
            "self-organized",
            RGBColor(150, 150, 150),
        ),
        (
            "share_bureaucratic",
            "bureaucratic",
            RGBColor(215, 215, 215),
        ),
    ];
    let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(8) as u32 * 8 + 10;
    let (chart_area, legend_area) =
        area.split_horizontally(area.dim_in_pixel().0.saturating_sub(170));
    for (k, (_, name, c)) in routes.iter().enumerate() {
        let y = 60 + 26 * k as i32;
        legend_area
            .draw(&Rectangle::new([(10, y), (26, y + 14)], c.filled()))
            .map_err(err)?;
        legend_area
            .draw(&Rectangle::new(
                [(10, y), (26, y + 14)],
                BLACK.stroke_width(1),
            ))
            .map_err(err)?;
        legend_area
            .draw(&Text::new(name.to_string(), (34, y), font(13)))
            .map_err(err)?;
    }
    let mut chart = ChartBuilder::on(&chart_area)
        .caption(
            "Share of resolutions by route (mean over replications)",
            font(20),
        )
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(label_width.min(220))
        .build_cartesian_2d(0.0..1.0, -0.5..(n as f64 - 0.5))
        .map_err(err)?;
    let names: Vec<String> = labels.iter().rev().cloned().collect();
    chart
        .configure_mesh()
        .x_desc("share of resolved issues")
        .y_labels(n)
        .y_label_formatter(&|y| category_at(&names, *y))
        .label_style(font(13))
        .axis_desc_style(font(14))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(err)?;
    for (k, (metric, _, c)) in routes.iter().enumerate() {
        for p in 0..n {
            let start: f64 = routes[..k]
                .iter()
                .filter_map(|(m, _, _)| r.estimate(p, m)?.mean)
                .sum();
            let Some(share) = r.estimate(p, metric).and_then(|e| e.mean) else {
                continue;
            };
            let y = (n - 1 - p) as f64;
            let rect = Rectangle::new([(start, y - 0.35), (start + share, y + 0.35)], c.filled());
            chart.draw_series(std::iter::once(rect)).map_err(err)?;
            if share > 0.06 {
                let text_color = if k == 0 { WHITE } else { BLACK };
                let style = (FONT, 12).into_font().color(&text_color);
                chart
                    .draw_series(std::iter::once(Text::new(
                        format!("{:.0}%", 100.0 * share),
                        (start + 0.01, y + 0.1),
                        style,
                    )))
                    .map_err(err)?;
            }
        }
    }
    Ok(())
}

/// Sweep: each key metric against one lever, points with interval whiskers
/// (joined with a band on a one-lever grid).
/// A line over a lever's values: (value, mean, low, high) at each point,
/// in a colour of its own.
type LeverLine = (usize, Vec<(f64, f64, f64, f64)>);

/// One panel over a lever's values: each line with its 95% interval, as a
/// band when the lever is the only one varied (one point per value),
/// whiskers otherwise; a dashed zero line for differences.
fn lever_panel<DB: DrawingBackend>(
    panel: &Area<DB>,
    caption: &str,
    lever: &str,
    unit: &str,
    lines: &[LeverLine],
    band: bool,
    zero: bool,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let all = || lines.iter().flat_map(|(_, pts)| pts.iter());
    let xs = range_of(all().map(|p| p.0));
    let ys = range_of(all().flat_map(|p| [p.2, p.3]).chain(zero.then_some(0.0)));
    let mut chart = ChartBuilder::on(panel)
        .caption(caption, font(15))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(xs.0..xs.1, ys.0..ys.1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(lever)
        .y_desc(unit)
        .label_style(font(12))
        .axis_desc_style(font(12))
        .light_line_style(WHITE.mix(0.0))
        .x_labels(5)
        .draw()
        .map_err(err)?;
    if zero {
        chart
            .draw_series(DashedLineSeries::new(
                [(xs.0, 0.0), (xs.1, 0.0)],
                6,
                4,
                BLACK.mix(0.6).stroke_width(1),
            ))
            .map_err(err)?;
    }
    for (k, pts) in lines {
        let c = color(*k);
        if band && pts.len() > 1 {
            let mut outline: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.2)).collect();
            outline.extend(pts.iter().rev().map(|p| (p.0, p.3)));
            chart
                .draw_series(std::iter::once(Polygon::new(outline, c.mix(0.18).filled())))
                .map_err(err)?;
            chart
                .draw_series(LineSeries::new(
                    pts.iter().map(|p| (p.0, p.1)),
                    c.stroke_width(2),
                ))
                .map_err(err)?;
        } else {
            for p in pts {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(p.0, p.2), (p.0, p.3)],
                        c.mix(0.6).stroke_width(1),
                    )))
                    .map_err(err)?;
            }
        }
        chart
            .draw_series(pts.iter().map(|p| Circle::new((p.0, p.1), 3, c.filled())))
            .map_err(err)?;
    }
    Ok(())
}

/// The points of scenario `name` as (value of `lever`, mean, low, high) of
/// `value_of` at each point, by the lever's value.
fn lever_points(
    r: &Results,
    name: &str,
    lever: usize,
    value_of: impl Fn(usize) -> Option<(f64, Option<f64>, Option<f64>)>,
) -> Vec<(f64, f64, f64, f64)> {
    let mut pts: Vec<(f64, f64, f64, f64)> = r
        .manifest
        .points
        .iter()
        .enumerate()
        .filter(|(_, point)| point.label == name)
        .filter_map(|(p, point)| {
            let x: f64 = point.values.get(lever)?.parse().ok()?;
            let (m, lo, hi) = value_of(p)?;
            Some((x, m, lo.unwrap_or(m), hi.unwrap_or(m)))
        })
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    pts
}

/// Splits off a legend strip on the right when there are several
/// scenarios, and draws it.
fn with_legend<'a, DB: DrawingBackend>(
    area: &'a Area<DB>,
    keys: &[usize],
    names: &[String],
) -> Result<std::borrow::Cow<'a, Area<DB>>, String>
where
    DB::ErrorType: 'static,
{
    if names.len() < 2 {
        return Ok(std::borrow::Cow::Borrowed(area));
    }
    let (plot_area, legend_area) =
        area.split_horizontally(area.dim_in_pixel().0.saturating_sub(210));
    legend(&legend_area, keys, names)?;
    Ok(std::borrow::Cow::Owned(plot_area))
}

/// What a plot over a lever's values shows of each scenario.
#[derive(Clone, Copy, PartialEq)]
enum OverLever {
    /// Each scenario's mean and interval (`response_<lever>`).
    Response,
    /// Each scenario after the first minus the first at the same values,
    /// paired by replication (`contrast_<lever>`, sweeps of several
    /// scenarios).
    Contrast,
}

/// Each key metric over the values of varied lever `lever`, one line (a
/// band on a one-lever grid) per scenario.
fn over_lever_plot<DB: DrawingBackend>(
    r: &Results,
    lever: usize,
    shown: OverLever,
    area: &Area<DB>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let name = &r.manifest.varied[lever];
    let scenarios = r.scenario_names();
    let contrast = shown == OverLever::Contrast;
    let first = usize::from(contrast);
    let keys: Vec<usize> = (first..scenarios.len()).collect();
    let area = with_legend(area, &keys, &scenarios)?;
    let title = if contrast {
        format!(
            "Contrast over {name}: each scenario − {}, paired by replication, 95% interval",
            scenarios[0]
        )
    } else {
        format!("Response to {name}: mean and 95% interval at each point")
    };
    let panels = split_grid(&area, &title, 2, 3)?;
    let one_lever = r.manifest.varied.len() == 1;
    for (panel, (metric, unit)) in panels.iter().zip(estimates()) {
        let lines: Vec<LeverLine> = scenarios
            .iter()
            .enumerate()
            .skip(first)
            .map(|(k, scenario)| {
                let pts = lever_points(r, scenario, lever, |p| {
                    if contrast {
                        let d = r.difference(p, metric)?;
                        Some((d.diff?, d.ci_low, d.ci_high))
                    } else {
                        let e = r.estimate(p, metric)?;
                        Some((e.mean?, e.ci_low, e.ci_high))
                    }
                });
                (k, pts)
            })
            .collect();
        let caption = if contrast {
            format!("{} (difference)", label(metric))
        } else {
            label(metric)
        };
        lever_panel(panel, &caption, name, unit, &lines, one_lever, contrast)?;
    }
    Ok(())
}

/// A color-blind-safe sequential scale (viridis, five anchors).
fn viridis(t: f64) -> RGBColor {
    const ANCHORS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = t.clamp(0.0, 1.0) * 4.0;
    let i = (t.floor() as usize).min(3);
    let f = t - i as f64;
    let (a, b) = (ANCHORS[i], ANCHORS[i + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Sweep over two levers on a grid: a heat map of the mean of each key metric.
fn heatmap_plot<DB: DrawingBackend>(r: &Results, area: &Area<DB>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (a, b) = (&r.manifest.varied[0], &r.manifest.varied[1]);
    let panels = split_grid(
        area,
        &format!("Mean over replications at each ({a}, {b}); lighter is higher"),
        2,
        2,
    )?;
    let axis = |k: usize| -> Vec<f64> {
        let mut v: Vec<f64> = r
            .manifest
            .points
            .iter()
            .filter_map(|p| p.values.get(k)?.parse().ok())
            .collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        v
    };
    let (xa, ya) = (axis(0), axis(1));
    for (panel, (metric, unit)) in panels.iter().zip(estimates().into_iter().take(4)) {
        let cells: Vec<(usize, usize, f64)> = r
            .manifest
            .points
            .iter()
            .enumerate()
            .filter_map(|(p, point)| {
                let x: f64 = point.values.first()?.parse().ok()?;
                let y: f64 = point.values.get(1)?.parse().ok()?;
                let m = r.estimate(p, metric)?.mean?;
                Some((
                    xa.iter().position(|v| *v == x)?,
                    ya.iter().position(|v| *v == y)?,
                    m,
                ))
            })
            .collect();
        let (lo, hi) = cells
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |acc, c| {
                (acc.0.min(c.2), acc.1.max(c.2))
            });
        let (body, legend) = panel.split_horizontally(panel.dim_in_pixel().0.saturating_sub(70));
        let mut chart = ChartBuilder::on(&body)
            .caption(format!("{}: {unit}", label(metric)), font(14))
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5..(xa.len() as f64 - 0.5), -0.5..(ya.len() as f64 - 0.5))
            .map_err(err)?;
        let (xl, yl) = (xa.clone(), ya.clone());
        chart
            .configure_mesh()
            .x_desc(a.as_str())
            .y_desc(b.as_str())
            .x_labels(xa.len().min(11))
            .y_labels(ya.len().min(11))
            .x_label_formatter(&|x| label_at(&xl, *x))
            .y_label_formatter(&|y| label_at(&yl, *y))
            .label_style(font(11))
            .axis_desc_style(font(12))
            .disable_mesh()
            .draw()
            .map_err(err)?;
        let span = if hi > lo { hi - lo } else { 1.0 };
        chart
            .draw_series(cells.iter().map(|&(i, j, m)| {
                let (x, y) = (i as f64, j as f64);
                Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    viridis((m - lo) / span).filled(),
                )
            }))
            .map_err(err)?;
        // Color bar with its range.
        let steps = 20;
        let (w, h) = legend.dim_in_pixel();
        let bar_top = 40i32;
        let bar_height = h as i32 - 90;
        for s in 0..steps {
            let y0 = bar_top + bar_height * (steps - s - 1) / steps;
            let y1 = bar_top + bar_height * (steps - s) / steps;
            legend
                .draw(&Rectangle::new(
                    [(8, y0), (24, y1)],
                    viridis(s as f64 / (steps - 1) as f64).filled(),
                ))
                .map_err(err)?;
        }
        let _ = w;
        legend
            .draw(&Text::new(format!("{hi:.3}"), (4, bar_top - 16), font(11)))
            .map_err(err)?;
        legend
            .draw(&Text::new(
                format!("{lo:.3}"),
                (4, bar_top + bar_height + 4),
                font(11),
            ))
            .map_err(err)?;
    }
    Ok(())
}

/// The name of the category at axis position `x` (categories sit on whole numbers).
fn category_at(names: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    names.get(i as usize).cloned().unwrap_or_default()
}

fn label_at(values: &[f64], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    values
        .get(i as usize)
        .map(|v| format!("{v}"))
        .unwrap_or_default()
}

/// Metrics of a sensitivity analysis, in file order.
fn sensitivity_metrics(r: &Results) -> Vec<String> {
    let mut metrics: Vec<String> = Vec::new();
    for ix in &r.indices {
        if !metrics.contains(&ix.metric) {
            metrics.push(ix.metric.clone());
        }
    }
    metrics
}

fn panel_grid(n: usize) -> (usize, usize) {
    let cols = n.clamp(1, 2);
    (n.div_ceil(cols), cols)
}

/// Sobol': S1 and ST of every parameter with bootstrap intervals, a panel per metric.
fn sobol_plot<DB: DrawingBackend>(r: &Results, area: &Area<DB>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let metrics = sensitivity_metrics(r);
    let (rows, cols) = panel_grid(metrics.len());
    let title =
        "Sobol' indices: first order S1 (solid) and total ST (light), 95% bootstrap intervals";
    let panels = split_grid(area, title, rows, cols)?;
    let parameters = &r.manifest.varied;
    let short: Vec<String> = parameters
        .iter()
        .map(|p| p.rsplit('.').next().unwrap_or(p).to_string())
        .collect();
    for (panel, metric) in panels.iter().zip(&metrics) {
        let get = |p: usize, k: usize| {
            let name = ["S1", "ST"][k];
            let ix = r
                .indices
                .iter()
                .find(|i| &i.metric == metric && i.parameter == parameters[p] && i.index == name)?;
            Some((
                ix.value?.max(0.0),
                ix.ci_low.unwrap_or(f64::NAN),
                ix.ci_high.unwrap_or(f64::NAN),
            ))
        };
        let shade = |_: usize, k: usize| {
            if k == 0 {
                color(0).filled()
            } else {
                color(0).mix(0.35).filled()
            }
        };
        bar_panel(
            panel,
            metric,
            "share of output variance",
            &short,
            &["S1", "ST"],
            &get,
            &shade,
        )?;
    }
    Ok(())
}

/// Morris: μ* against σ for every parameter, a panel per metric.
fn morris_plot<DB: DrawingBackend>(r: &Results, area: &Area<DB>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let metrics = sensitivity_metrics(r);
    let (rows, cols) = panel_grid(metrics.len());
    let title = "Morris screening: μ* (mean |elementary effect|, 95% bootstrap interval) against σ";
    let panels = split_grid(area, title, rows, cols)?;
    let parameters = &r.manifest.varied;
    for (panel, metric) in panels.iter().zip(&metrics) {
        let find = |p: &str, name: &str| {
            r.indices
                .iter()
                .find(|i| &i.metric == metric && i.parameter == p && i.index == name)
        };
        let pts: Vec<(String, f64, f64, f64, f64)> = parameters
            .iter()
            .filter_map(|p| {
                let mu = find(p, "mu_star")?;
                let sigma = find(p, "sigma")?.value.unwrap_or(0.0);
                let m = mu.value?;
                Some((
                    p.clone(),
                    m,
                    sigma,
                    mu.ci_low.unwrap_or(m),
                    mu.ci_high.unwrap_or(m),
                ))
            })
            .collect();
        let xmax = pts
            .iter()
            .map(|p| p.4.max(p.1))
            .fold(0.0f64, f64::max)
            .max(1e-9)
            * 1.2;
        let ymax = pts.iter().map(|p| p.2).fold(0.0f64, f64::max).max(1e-9) * 1.2;
        let mut chart = ChartBuilder::on(panel)
            .caption(label(metric), font(15))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..xmax, 0.0..ymax)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("μ* (output units per full range of the lever)")
            .y_desc("σ of the elementary effects")
            .label_style(font(12))
            .axis_desc_style(font(12))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err)?;
        for (i, (name, m, sd, lo, hi)) in pts.iter().enumerate() {
            let c = color(i);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(*lo, *sd), (*hi, *sd)],
                    c.stroke_width(2),
                )))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Circle::new((*m, *sd), 5, c.filled())))
                .map_err(err)?;
            let short = name.rsplit('.').next().unwrap_or(name).to_string();
            chart
                .draw_series(std::iter::once(Text::new(
                    short,
                    (*m, *sd + ymax * 0.03),
                    font(11),
                )))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// Draws every plot the results allow, rasterised as `raster` says: each
/// is listed first and then drawn, plots in parallel (each drawing is its
/// own, so they are the same on any number of threads), in list order.
pub fn all_plots<'r>(r: &'r Results, raster: Raster) -> Result<Vec<Plot>, String> {
    let mut plots = Vec::new();
    let mut add = |stem: &str, title: &str, caption: &str, draw: Drawing<'r>| {
        plots.push(Listed {
            stem: stem.into(),
            title: title.into(),
            caption: caption.into(),
            draw,
        });
    };
    // A decomposition's two plots: one panel per metric.
    let decomposition_height = 60 + 320 * panel_grid(r.attribution_metrics().len()).0 as u32;
    if !r.attribution.is_empty() {
        add(
            "attribution",
            "Which group of levers carries the difference",
            "A waterfall from BASE (0) to TARGET − BASE (black, from 0): each group's Shapley value, its marginal contribution averaged over every order in which the groups could be switched, is a bar starting where the groups above it end, so the bars add up to the difference. The whisker is the 95% interval of the group's value over paired replications, placed at its bar; the bar is pale where that interval includes 0.",
            later!((1200, decomposition_height), raster, |area| {
                attribution_plot(r, area)
            }),
        );
    }
    if !r.interactions.is_empty() {
        add(
            "interactions",
            "How pairs of groups interact",
            "The Shapley interaction index of each pair: its joint effect beyond what each does alone, averaged like the Shapley values (interactions.csv). Red: the pair does more together than apart; blue: less; white: the effects add.",
            later!((1200, decomposition_height), raster, |area| {
                interactions_plot(r, area)
            }),
        );
    }
    // A decomposition's answer is those two plots: its 2^k combinations
    // drawn as scenarios (16 or 32 lines in a few colours) would hide it.
    if r.manifest.key.command == crate::store::manifest::ExperimentKind::Decompose {
        return draw_all(plots);
    }
    if r.sensitivity() {
        let (rows, _) = panel_grid(sensitivity_metrics(r).len());
        let height = 60 + 380 * rows as u32;
        let morris = r
            .manifest
            .sensitivity
            .as_ref()
            .is_some_and(|s| s.method == "morris");
        if morris {
            let draw = later!((1200, height), raster, |area| { morris_plot(r, area) });
            add(
                "morris",
                "Morris screening",
                "Levers far to the right matter most; a high σ means their effect depends on other levers or is non-linear; levers near the origin can be fixed.",
                draw,
            );
        } else {
            let draw = later!((1200, height), raster, |area| { sobol_plot(r, area) });
            add(
                "sobol",
                "Sobol' indices",
                "S1 is the share of output variance a lever explains alone, ST including its interactions: a large gap between them means interactions.",
                draw,
            );
        }
        return draw_all(plots);
    }
    if !r.sweep() {
        for (metric, title, unit) in series() {
            if !r.series.keys().any(|(_, m)| m == metric) {
                continue;
            }
            let stem = format!("ts_{metric}");
            let draw = later!((900, 480), raster, |area| {
                time_series(r, metric, title, unit, area)
            });
            let reforms = r
                .scenarios
                .iter()
                .flatten()
                .any(|s| !policy_days(s).is_empty());
            let caption = format!(
                "{title} over the run for each scenario; where bands do not overlap, the scenarios differ on that day beyond replication noise. {ZOOMED}{}",
                if reforms {
                    " Thin vertical lines in a scenario's colour mark the days its reforms ([[policy]]) take effect."
                } else {
                    ""
                }
            );
            add(&stem, title, &caption, draw);
        }
        let draw = later!((1200, 640), raster, |area| { estimates_plot(r, area) });
        add(
            "estimates",
            "Run-level metrics",
            "Each dot is a scenario's mean over replications, whiskers its 95% interval: compare positions, and trust differences only where whiskers do not overlap.",
            draw,
        );
        if r.labels().len() > 1 {
            let draw = later!((1200, 640), raster, |area| { differences_plot(r, area) });
            add(
                "differences",
                "Differences against the baseline",
                "Paired differences against the baseline with 95% intervals; filled dots have intervals that exclude zero (the vertical line).",
                draw,
            );
        }
        let draw = later!((1200, 520), raster, |area| { equity_plot(r, area) });
        add(
            "equity",
            "Locals and migrants",
            "Solid bars are locals, light bars migrants: the gap between them is the equity gap each regime leaves.",
            draw,
        );
        let draw = later!((1200, 720), raster, |area| { agil_plot(r, area) });
        add(
            "agil",
            "The four AGIL functions",
            "Adaptation, goal attainment, integration and latency side by side: a regime strong in one function can be weak in another.",
            draw,
        );
        let draw = later!((1000, 120 + 60 * r.labels().len() as u32), raster, |area| {
            routes_plot(r, area)
        });
        add(
            "routes",
            "Routes of resolution",
            "Who resolved the issues: the party-convened, self-organized and bureaucratic shares of each regime.",
            draw,
        );
    } else {
        for lever in 0..r.manifest.varied.len() {
            if !r.contrast() {
                continue;
            }
            let stem = format!("contrast_{}", r.manifest.varied[lever].replace('.', "_"));
            let draw = later!((1200, 640), raster, |area| {
                over_lever_plot(r, lever, OverLever::Contrast, area)
            });
            let caption = format!(
                "Each scenario minus {} at the same value of {}, paired by replication (the same seeds), with its 95% interval: where the band leaves the dashed zero line the scenarios differ beyond replication noise, and how the gap moves with the lever is the contrast as a curve, not one point.",
                r.scenario_names()[0],
                r.manifest.varied[lever]
            );
            add(
                &stem,
                &format!("Contrast over {}", r.manifest.varied[lever]),
                &caption,
                draw,
            );
        }
        for lever in 0..r.manifest.varied.len() {
            let stem = format!("response_{}", r.manifest.varied[lever].replace('.', "_"));
            let draw = later!((1200, 640), raster, |area| {
                over_lever_plot(r, lever, OverLever::Response, area)
            });
            let caption = format!(
                "Each key metric against {}: look for slopes, thresholds and turning points, and at the width of the intervals before believing them.",
                r.manifest.varied[lever]
            );
            add(
                &stem,
                &format!("Response to {}", r.manifest.varied[lever]),
                &caption,
                draw,
            );
        }
        if r.manifest.varied.len() == 2 && r.manifest.sample == "grid" {
            let draw = later!((1200, 800), raster, |area| { heatmap_plot(r, area) });
            add(
                "heatmap",
                "Two levers together",
                "Mean of each metric over the grid of the two varied levers: look for where the color changes fastest.",
                draw,
            );
        }
    }
    draw_all(plots)
}

/// A panel of a single run's report: file stem, title, axis label, and the
/// columns drawn with their labels in the legend.
type RunPanel = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The panels of a single run's report.
const RUN_PANELS: &[RunPanel] = &[
    (
        "resolution",
        "Resolution",
        "share of closed issues resolved (30-day window)",
        &[
            ("resolution_rate", "all issues"),
            ("cross_cutting_resolution_rate", "cross-cutting issues"),
        ],
    ),
    (
        "participation",
        "Participation",
        "share of residents taking part that day",
        &[
            ("participation_rate_local", "locals"),
            ("participation_rate_migrant", "migrants"),
        ],
    ),
    (
        "trust",
        "Trust",
        "mean trust (0–1)",
        &[
            ("trust_party", "in party organizations"),
            ("trust_government", "in government"),
            ("trust_social", "in social organizations"),
        ],
    ),
    (
        "backlog",
        "Open issues",
        "open issues (count)",
        &[("backlog", "open issues")],
    ),
    (
        "legitimacy",
        "Party legitimacy",
        "mean legitimacy (0–1)",
        &[("party_legitimacy", "party legitimacy")],
    ),
];

/// One panel of a run: a line per column, the legend in its own strip.
fn run_panel<DB: DrawingBackend>(
    r: &crate::report::results::RunResults,
    title: &str,
    unit: &str,
    columns: &[(&str, &str)],
    area: &Area<DB>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let lines: Vec<(usize, Vec<(f64, f64)>)> = columns
        .iter()
        .enumerate()
        .filter_map(|(k, (column, _))| {
            let values = r.series.get(*column)?;
            let points: Vec<(f64, f64)> = r
                .days
                .iter()
                .zip(values)
                .filter_map(|(&d, v)| Some((d, (*v)?)))
                .filter(|(d, v)| d.is_finite() && v.is_finite())
                .collect();
            (!points.is_empty()).then_some((k, points))
        })
        .collect();
    let days = range_of(lines.iter().flat_map(|(_, p)| p.iter().map(|x| x.0)));
    let ys = range_of(lines.iter().flat_map(|(_, p)| p.iter().map(|x| x.1)));
    let (plot_area, legend_area) =
        area.split_horizontally(area.dim_in_pixel().0.saturating_sub(210));
    let mut chart = day_chart(&plot_area, title, unit, days, ys)?;
    let marks: Vec<f64> = r
        .manifest
        .policies
        .iter()
        .map(|p| f64::from(p.day))
        .collect();
    mark_days(&mut chart, &marks, ys, RGBColor(0x55, 0x55, 0x55))?;
    // Each metric in its own colour, as in the live app; a column without
    // one (none today) takes its place in the palette.
    let colour = |k: usize| metric_color(columns[k].0).unwrap_or_else(|| color(k));
    for (k, points) in &lines {
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                colour(*k).stroke_width(2),
            ))
            .map_err(err)?;
    }
    let rows: Vec<(RGBColor, &str)> = lines
        .iter()
        .map(|(k, _)| (colour(*k), columns[*k].1))
        .collect();
    legend_rows(&legend_area, &rows)
}

/// Every plot of a single run (a panel is left out where its columns have no
/// value, such as legitimacy without a party committee), drawn in parallel
/// as in [`all_plots`].
pub fn run_plots(
    r: &crate::report::results::RunResults,
    raster: Raster,
) -> Result<Vec<Plot>, String> {
    let mut plots = Vec::new();
    for &(stem, title, unit, columns) in RUN_PANELS {
        let has_values = columns.iter().any(|(c, _)| {
            r.series
                .get(*c)
                .is_some_and(|v| v.iter().any(Option::is_some))
        });
        if !has_values {
            continue;
        }
        plots.push(Listed {
            stem: stem.into(),
            title: title.into(),
            caption: format!(
                "{title} day by day in this run (one seed: no intervals; compare regimes with replications for those). {ZOOMED}{}",
                policy_caption(&r.manifest.policies)
            ),
            draw: later!((900, 440), raster, |area| {
                run_panel(r, title, unit, columns, area)
            }),
        });
    }
    draw_all(plots)
}

/// A target and the posterior-predictive values of its metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictive {
    /// The metric.
    pub metric: String,
    /// The observed value.
    pub target: f64,
    /// Its SD, where given.
    pub sd: Option<f64>,
    /// Simulated values at particles drawn from the posterior.
    pub simulated: Vec<f64>,
}

/// The plots of a calibration: each lever's marginal posterior (weighted
/// histogram of the last generation, with median, 95% interval and the
/// prior), the pairs of levers, the posterior predictive against the
/// targets, and the tolerance by generation.
pub fn calibration_plots(
    priors: &[crate::analysis::calibrate::Prior],
    generations: &[crate::analysis::calibrate::Generation],
    predictive: &[Predictive],
    raster: Raster,
) -> Result<Vec<Plot>, String> {
    let Some(last) = generations.last() else {
        return Ok(Vec::new());
    };
    let mut plots = Vec::new();
    for (i, prior) in priors.iter().enumerate() {
        let stem = format!("posterior_{i}");
        let m = crate::analysis::calibrate::marginal(last, i);
        const BINS: usize = 24;
        let width = (prior.hi - prior.lo) / BINS as f64;
        let mut heights = [0.0f64; BINS];
        for p in &last.particles {
            let b = (((p.theta[i] - prior.lo) / width) as usize).min(BINS - 1);
            heights[b] += p.weight / width;
        }
        let top = heights
            .iter()
            .copied()
            .fold(1.0 / (prior.hi - prior.lo), f64::max)
            * 1.15;
        let drawn = plot!((800, 420), raster, |area| {
            let mut chart = ChartBuilder::on(area)
                .caption(format!("Posterior of {}", prior.name), font(18))
                .margin(12)
                .x_label_area_size(44)
                .y_label_area_size(64)
                .build_cartesian_2d(prior.lo..prior.hi, 0.0..top)
                .map_err(err)?;
            chart
                .configure_mesh()
                .x_desc(prior.name.as_str())
                .y_desc("posterior density")
                .label_style(font(13))
                .axis_desc_style(font(14))
                .draw()
                .map_err(err)?;
            chart
                .draw_series(heights.iter().enumerate().map(|(b, &h)| {
                    let x0 = prior.lo + b as f64 * width;
                    Rectangle::new([(x0, 0.0), (x0 + width, h)], color(1).mix(0.6).filled())
                }))
                .map_err(err)?;
            let flat = 1.0 / (prior.hi - prior.lo);
            chart
                .draw_series(LineSeries::new(
                    [(prior.lo, flat), (prior.hi, flat)],
                    RGBColor(0x88, 0x88, 0x88).stroke_width(2),
                ))
                .map_err(err)?;
            for (x, c, w) in [
                (m.median, color(4), 3),
                (m.ci_low, color(0), 2),
                (m.ci_high, color(0), 2),
            ] {
                chart
                    .draw_series(LineSeries::new([(x, 0.0), (x, top)], c.stroke_width(w)))
                    .map_err(err)?;
            }
            Ok(())
        })?;
        plots.push(Plot {
            stem,
            title: format!("Posterior of {}", prior.name),
            caption: format!(
                "Weighted histogram of the last generation's particles of {}: median {:.4} (thick line), 95% credible interval {:.4} to {:.4} (thin lines); the grey line is the uniform prior over {} to {}.",
                prior.name, m.median, m.ci_low, m.ci_high, prior.lo, prior.hi
            ),
            svg: drawn.svg,
            png: drawn.png,
        });
    }
    let mut pairs = 0;
    for i in 0..priors.len() {
        for j in i + 1..priors.len() {
            if pairs >= 6 {
                break;
            }
            pairs += 1;
            let stem = format!("pairs_{i}_{j}");
            let (a, b) = (&priors[i], &priors[j]);
            let biggest = last
                .particles
                .iter()
                .map(|p| p.weight)
                .fold(0.0, f64::max)
                .max(1e-12);
            let drawn = plot!((640, 560), raster, |area| {
                let mut chart = ChartBuilder::on(area)
                    .caption(format!("{} and {}", a.name, b.name), font(16))
                    .margin(12)
                    .x_label_area_size(44)
                    .y_label_area_size(64)
                    .build_cartesian_2d(a.lo..a.hi, b.lo..b.hi)
                    .map_err(err)?;
                chart
                    .configure_mesh()
                    .x_desc(a.name.as_str())
                    .y_desc(b.name.as_str())
                    .label_style(font(13))
                    .axis_desc_style(font(14))
                    .draw()
                    .map_err(err)?;
                chart
                    .draw_series(last.particles.iter().map(|p| {
                        let r = 2 + (4.0 * (p.weight / biggest).sqrt()) as i32;
                        Circle::new((p.theta[i], p.theta[j]), r, color(3).mix(0.55).filled())
                    }))
                    .map_err(err)?;
                Ok(())
            })?;
            plots.push(Plot {
                stem,
                title: format!("{} and {}", a.name, b.name),
                caption: format!(
                    "The last generation's particles over the priors' ranges, larger where their weight is larger: a ridge means the targets identify a combination of {} and {}, not each.",
                    a.name, b.name
                ),
                svg: drawn.svg,
                png: drawn.png,
            });
        }
    }
    if !predictive.is_empty() {
        let stem = "predictive".to_string();
        let rows = predictive.len();
        let drawn = plot!((800, (110 * rows as u32).max(220) + 60), raster, |area| {
            let panels = area.split_evenly((rows, 1));
            for (panel, p) in panels.iter().zip(predictive) {
                let mut all = p.simulated.clone();
                all.push(p.target);
                if let Some(sd) = p.sd {
                    all.push(p.target - 2.0 * sd);
                    all.push(p.target + 2.0 * sd);
                }
                let xs = range_of(all.iter().copied());
                let mut chart = ChartBuilder::on(panel)
                    .caption(label(&p.metric), font(14))
                    .margin(8)
                    .x_label_area_size(30)
                    .y_label_area_size(20)
                    .build_cartesian_2d(xs.0..xs.1, 0.0..1.0)
                    .map_err(err)?;
                chart
                    .configure_mesh()
                    .disable_y_mesh()
                    .disable_y_axis()
                    .label_style(font(12))
                    .draw()
                    .map_err(err)?;
                chart
                    .draw_series(p.simulated.iter().enumerate().map(|(k, &v)| {
                        let y = 0.2 + 0.6 * ((k * 37 % 100) as f64 / 100.0);
                        Circle::new((v, y), 3, color(1).mix(0.7).filled())
                    }))
                    .map_err(err)?;
                if let Some(sd) = p.sd {
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [(p.target - 2.0 * sd, 0.05), (p.target + 2.0 * sd, 0.95)],
                            color(0).mix(0.15).filled(),
                        )))
                        .map_err(err)?;
                }
                chart
                    .draw_series(LineSeries::new(
                        [(p.target, 0.0), (p.target, 1.0)],
                        color(4).stroke_width(3),
                    ))
                    .map_err(err)?;
            }
            Ok(())
        })?;
        plots.push(Plot {
            stem,
            title: "Posterior predictive against the targets".into(),
            caption: "Each dot is the metric simulated at a particle drawn from the posterior (its own seeds); the thick line is the target and the shaded band its ±2 SD where an SD was given. Targets outside the dots are ones the calibrated model does not reproduce.".into(),
            svg: drawn.svg,
            png: drawn.png,
        });
    }
    let stem = "tolerance".to_string();
    let steps: Vec<(f64, f64)> = generations
        .iter()
        .filter(|g| g.epsilon.is_finite())
        .map(|g| (g.index as f64, g.epsilon))
        .collect();
    if !steps.is_empty() {
        let ys = range_of(steps.iter().map(|s| s.1).chain([0.0]));
        let xs = (0.5, generations.len() as f64 - 0.5);
        let drawn = plot!((720, 380), raster, |area| {
            let mut chart = ChartBuilder::on(area)
                .caption("Tolerance by generation", font(16))
                .margin(12)
                .x_label_area_size(44)
                .y_label_area_size(64)
                .build_cartesian_2d(xs.0..xs.1.max(1.5), ys.0..ys.1)
                .map_err(err)?;
            chart
                .configure_mesh()
                .x_desc("generation")
                .y_desc("tolerance (distance)")
                .label_style(font(13))
                .axis_desc_style(font(14))
                .draw()
                .map_err(err)?;
            chart
                .draw_series(LineSeries::new(
                    steps.iter().copied(),
                    color(3).stroke_width(2),
                ))
                .map_err(err)?;
            chart
                .draw_series(steps.iter().map(|&p| Circle::new(p, 4, color(3).filled())))
                .map_err(err)?;
            Ok(())
        })?;
        plots.push(Plot {
            stem,
            title: "Tolerance by generation".into(),
            caption: "The tolerance ε of each generation after the prior's: where it stops falling, the model cannot come closer to the targets.".into(),
            svg: drawn.svg,
            png: drawn.png,
        });
    }
    Ok(plots)
}

#[cfg(test)]
mod size_tests {
    use super::*;

    #[test]
    fn a_plot_asked_to_be_huge_is_drawn_within_the_bound() {
        assert_eq!(bounded_size((1_200, 2_400_060)), (1_200, 12_000));
        assert_eq!(bounded_size((0, 0)), (1, 1));
        let drawn = plot!((1_200, 2_400_060), Raster::Png, |area| {
            area.fill(&WHITE).map_err(err)?;
            Ok(())
        })
        .unwrap();
        let png = drawn.png.unwrap();
        // The PNG header's height (IHDR, bytes 20..24).
        let height = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
        assert_eq!(height, 12_000);
        assert!(drawn.svg.contains("height=\"12000\""));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_run_panel_draws_its_metrics_in_their_own_distinct_colours() {
        for &(stem, _, _, columns) in RUN_PANELS {
            let colours: Vec<RGBColor> = columns
                .iter()
                .map(|(c, _)| metric_color(c).unwrap_or_else(|| panic!("{c} has no colour")))
                .collect();
            for (i, a) in colours.iter().enumerate() {
                for b in &colours[i + 1..] {
                    assert_ne!(a, b, "{stem}: two lines alike");
                }
            }
        }
        assert_eq!(hex(PALETTE[0]), "#0072B2");
    }
}
