//! `govsim._govsim`: the typed library API (`govsim::api`) as a CPython
//! extension module. The Python package `govsim` wraps it into pandas
//! DataFrames and the EMA Workbench; this module only converts: scenarios
//! in, tables out as the library's CSV bytes (or Arrow), errors as one
//! family of exceptions.
//!
//! Every simulation runs on a thread of its own while the calling thread
//! waits without the GIL, so other Python threads run other models at the
//! same time; the caller wakes every 50 ms to let Ctrl-C through (then an
//! experiment starts no new run and `KeyboardInterrupt` is raised).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arrow_schema::SchemaRef;
use govsim::api::{self, CompareRequest, Context, Runner, SweepRequest};
use govsim::error::Error;
use govsim::experiment::aggregate::{differences_csv, summary_csv};
use govsim::experiment::{Progress, Reps, design};
use govsim::scenario::{ResolvedScenario, ScenarioSource};
use govsim::util::files::csv_bytes;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

create_exception!(
    _govsim,
    GovsimError,
    PyException,
    "Every error govsim raises: the message is the command line's."
);
create_exception!(
    _govsim,
    InputError,
    GovsimError,
    "Bad input (the command line's exit 2): `file`, `key`, `line` and `range` say where and what is valid."
);
create_exception!(
    _govsim,
    RunError,
    GovsimError,
    "A failure at run time (the command line's exit 1), such as a folder that cannot be written."
);

/// The Python exception of a govsim error, with the command line's message
/// (without its `error: ` prefix) and, for bad input, its parts.
fn to_py(py: Python<'_>, error: Error) -> PyErr {
    match error {
        Error::Input(e) => {
            let text = e.to_string();
            let err = InputError::new_err(text);
            let value = err.value(py);
            let range = e.range().map(str::to_string);
            let _ = value.setattr("file", e.file.clone());
            let _ = value.setattr("key", e.key.clone());
            let _ = value.setattr("line", e.line);
            let _ = value.setattr("message", e.message.clone());
            let _ = value.setattr("range", range);
            err
        }
        Error::Runtime(e) => RunError::new_err(e),
        Error::Interrupted { done } => PyKeyboardInterrupt::new_err(format!(
            "interrupted: {done} runs are kept in the folder; run the same call with resume=True to finish"
        )),
    }
}

/// Runs `work` on a thread of its own while this thread waits without the
/// GIL, waking every 50 ms for signals: on Ctrl-C `stop` is set and
/// `KeyboardInterrupt` raised at once (the work ends on its own: an
/// experiment starts no new run, a single run finishes and is dropped).
fn detached<T: Send + 'static>(
    py: Python<'_>,
    stop: Arc<AtomicBool>,
    work: impl FnOnce() -> T + Send + 'static,
) -> PyResult<T> {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("govsim".into())
        .spawn(move || {
            let _ = send.send(work());
        })
        .map_err(|e| RunError::new_err(format!("cannot start a thread: {e}")))?;
    let mut receive = receive;
    loop {
        let (got, back) = py.detach(move || {
            let got = receive.recv_timeout(Duration::from_millis(50));
            (got, receive)
        });
        receive = back;
        match got {
            Ok(value) => return Ok(value),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(RunError::new_err("the simulation thread failed"));
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
        }
        if let Err(e) = py.check_signals() {
            stop.store(true, Ordering::SeqCst);
            return Err(e);
        }
    }
}

/// A table as CSV bytes, exactly as the command line's file has it; the
/// package parses it into a DataFrame (floats round-trip).
type Table = Vec<u8>;

fn table<T: serde::Serialize>(rows: &[T]) -> Result<Table, Error> {
    csv_bytes(rows).map_err(|e| Error::Runtime(format!("cannot tabulate: {e}")))
}

/// A CSV table the library wrote (its header and rows of text) as one
/// Arrow record batch: a column whose every value is a whole number is
/// Int64, any other Float64, and NA or an empty cell is null; a column
/// with text is Utf8.
fn arrow_batch(csv: &[u8]) -> Result<(Vec<arrow_array::RecordBatch>, SchemaRef), String> {
    use arrow_array::{ArrayRef, Float64Array, Int64Array, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    let mut reader = csv::Reader::from_reader(csv);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(String::from)
        .collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.map(|r| r.iter().map(String::from).collect()))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let missing = |cell: &str| cell.is_empty() || cell == "NA";
    let mut fields = Vec::with_capacity(header.len());
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(header.len());
    for (k, name) in header.iter().enumerate() {
        let cells: Vec<&str> = rows
            .iter()
            .map(|r| r.get(k).map_or("", String::as_str))
            .collect();
        let whole = cells.iter().all(|c| missing(c) || c.parse::<i64>().is_ok());
        let real = cells.iter().all(|c| missing(c) || c.parse::<f64>().is_ok());
        let (kind, column): (DataType, ArrayRef) = if whole {
            let values: Int64Array = cells
                .iter()
                .map(|c| c.parse::<i64>().ok().filter(|_| !missing(c)))
                .collect();
            (DataType::Int64, Arc::new(values))
        } else if real {
            let values: Float64Array = cells
                .iter()
                .map(|c| c.parse::<f64>().ok().filter(|_| !missing(c)))
                .collect();
            (DataType::Float64, Arc::new(values))
        } else {
            let values: StringArray = cells.iter().map(|c| Some(*c)).collect();
            (DataType::Utf8, Arc::new(values))
        };
        fields.push(Field::new(name, kind, true));
        columns.push(column);
    }
    let schema: SchemaRef = Arc::new(Schema::new(fields));
    let batch = arrow_array::RecordBatch::try_new(Arc::clone(&schema), columns)
        .map_err(|e| e.to_string())?;
    Ok((vec![batch], schema))
}

/// A CSV table of the library as an `arro3.core.Table`, which polars and
/// any reader of the Arrow PyCapsule interface take without a copy (needs
/// the `arro3-core` package).
#[pyfunction]
fn arrow_table<'py>(py: Python<'py>, csv: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let (batches, schema) = arrow_batch(csv).map_err(RunError::new_err)?;
    pyo3_arrow::PyTable::try_new(batches, schema)?.into_arro3(py)
}

/// A scenario file with overrides, validated.
#[pyclass(module = "govsim._govsim", frozen)]
struct Scenario {
    resolved: ResolvedScenario,
}

#[pymethods]
impl Scenario {
    /// Loads `path` with `KEY=VALUE` overrides (the scenario language of
    /// `--set`).
    #[staticmethod]
    #[pyo3(signature = (path, set = Vec::new()))]
    fn load(py: Python<'_>, path: PathBuf, set: Vec<String>) -> PyResult<Self> {
        let resolved = py
            .detach(|| api::load(&path, &set))
            .map_err(|e| to_py(py, e))?;
        Ok(Self { resolved })
    }

    /// The scenario's `name`.
    #[getter]
    fn name(&self) -> String {
        self.resolved.scenario.name.clone()
    }

    /// Its description.
    #[getter]
    fn description(&self) -> String {
        self.resolved.scenario.description.clone()
    }

    /// The file it was loaded from.
    #[getter]
    fn path(&self) -> PathBuf {
        self.resolved.path.clone()
    }

    /// The overrides applied, in order.
    #[getter]
    fn overrides(&self) -> Vec<String> {
        self.resolved.overrides.clone()
    }

    /// Every lever with defaults filled in, as TOML.
    #[getter]
    fn resolved_toml(&self) -> String {
        self.resolved.resolved_toml.clone()
    }

    /// SHA-256 of `resolved_toml`.
    #[getter]
    fn sha256(&self) -> String {
        self.resolved.sha256.clone()
    }

    /// Residents of its district.
    #[getter]
    fn residents(&self) -> u64 {
        self.resolved.scenario.district.residents()
    }

    /// Days it runs.
    #[getter]
    fn days(&self) -> u32 {
        self.resolved.scenario.sim.days
    }

    fn __repr__(&self) -> String {
        format!(
            "Scenario({:?}, {} residents, {} days, {} overrides)",
            self.resolved.scenario.name,
            self.resolved.scenario.district.residents(),
            self.resolved.scenario.sim.days,
            self.resolved.overrides.len()
        )
    }
}

/// The run-level metrics, as the columns of `summary.csv`.
#[pyfunction]
fn summary_columns() -> PyResult<Vec<String>> {
    let fields = api::summary_fields(&govsim::metrics::Summary::default())
        .map_err(|e| RunError::new_err(e.to_string()))?;
    Ok(fields.into_iter().map(|(name, _)| name).collect())
}

/// Every lever, in the ODD's order, as a dict: `path`, `default` (TOML),
/// `unit`, `min`, `max`, `meaning`, `choices`, `fixed` (why it cannot
/// change during a run, or `None`).
#[pyfunction]
fn levers(py: Python<'_>) -> PyResult<Vec<Py<PyDict>>> {
    api::levers()
        .into_iter()
        .map(|l| {
            let d = PyDict::new(py);
            d.set_item("path", l.path)?;
            d.set_item("default", l.default)?;
            d.set_item("unit", l.unit)?;
            d.set_item("min", l.min)?;
            d.set_item("max", l.max)?;
            d.set_item("meaning", l.meaning)?;
            d.set_item("choices", l.choices)?;
            d.set_item("fixed", l.fixed)?;
            Ok(d.unbind())
        })
        .collect()
}

/// One run of `scenario`, as `govsim run` does it (and, with `out`, writes
/// it): `(summary, daily)` tables and the wall time in seconds.
#[pyfunction]
#[pyo3(signature = (scenario, threads = None, out = None, max_memory = None))]
fn run(
    py: Python<'_>,
    scenario: &Scenario,
    threads: Option<usize>,
    out: Option<PathBuf>,
    max_memory: Option<u64>,
) -> PyResult<(Py<PyBytes>, Py<PyBytes>, f64)> {
    let resolved = scenario.resolved.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let result = detached(py, stop, move || -> Result<_, Error> {
        let out = out.map(|dir| (dir, vec!["govsim-python".to_string(), "run".to_string()]));
        let (output, wall) = api::run_scenario(
            &resolved,
            threads,
            max_memory,
            out.as_ref().map(|(d, c)| (d.as_path(), c.clone())),
        )?;
        Ok((
            table(std::slice::from_ref(&output.summary))?,
            table(&output.rows)?,
            wall,
        ))
    })?;
    let (summary, daily, wall) = result.map_err(|e| to_py(py, e))?;
    Ok((
        PyBytes::new(py, &summary).unbind(),
        PyBytes::new(py, &daily).unbind(),
        wall,
    ))
}

/// Tells a Python callable `(done, total)` as runs finish.
struct PyProgress {
    callback: Option<Py<PyAny>>,
    total: AtomicU64,
    done: AtomicU64,
}

impl PyProgress {
    fn tell(&self) {
        if let Some(callback) = &self.callback {
            let done = self.done.load(Ordering::SeqCst);
            let total = self.total.load(Ordering::SeqCst);
            Python::attach(|py| {
                // A callback that fails is reported once, not fatal.
                if let Err(e) = callback.call1(py, (done, total)) {
                    e.print(py);
                }
            });
        }
    }
}

impl Progress for PyProgress {
    fn note(&self, _text: &str) {}
    fn start(&self, total: u64, done: u64) {
        self.total.store(total, Ordering::SeqCst);
        self.done.store(done, Ordering::SeqCst);
        self.tell();
    }
    fn advance(&self) {
        self.done.fetch_add(1, Ordering::SeqCst);
        self.tell();
    }
    fn stopped(&self) {}
    fn finished(&self) {}
}

/// The runner's options, as the package passes them (a dict with every
/// key): what every experiment takes.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct RunnerArgs {
    seed: u64,
    days: Option<u32>,
    set: Vec<String>,
    threads: Option<usize>,
    out: Option<PathBuf>,
    resume: bool,
    series_all: bool,
    max_memory: Option<u64>,
}

impl From<RunnerArgs> for Runner {
    fn from(a: RunnerArgs) -> Self {
        Runner {
            seed: a.seed,
            days: a.days,
            set: a.set,
            threads: a.threads,
            out: a.out,
            shard: None,
            resume: a.resume,
            series_all: a.series_all,
            max_memory: a.max_memory,
        }
    }
}

/// An experiment's tables: `summary`, `differences`, `runs` and the layout.
fn experiment_tables(py: Python<'_>, experiment: &api::Experiment) -> Result<Py<PyDict>, Error> {
    let dict = PyDict::new(py);
    let set = |name: &str, t: Table| -> Result<(), Error> {
        dict.set_item(name, PyBytes::new(py, &t))
            .map_err(|e| Error::Runtime(e.to_string()))
    };
    set("summary", summary_csv(&experiment.layout, &experiment.runs))?;
    set(
        "differences",
        differences_csv(&experiment.layout, &experiment.runs),
    )?;
    set("runs", experiment.runs.to_bytes())?;
    dict.set_item("labels", experiment.layout.labels.clone())
        .map_err(|e| Error::Runtime(e.to_string()))?;
    dict.set_item("runs_done", experiment.outcome.runs_done)
        .map_err(|e| Error::Runtime(e.to_string()))?;
    dict.set_item(
        "dir",
        experiment.dir.as_ref().map(|d| d.display().to_string()),
    )
    .map_err(|e| Error::Runtime(e.to_string()))?;
    Ok(dict.unbind())
}

/// Runs a request on its own thread with a stop flag (set by Ctrl-C) and
/// progress told to a Python callable.
fn with_context<T: Send + 'static>(
    py: Python<'_>,
    progress: Option<Py<PyAny>>,
    work: impl FnOnce(&Context) -> Result<T, Error> + Send + 'static,
) -> PyResult<T> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let result = detached(py, stop, move || {
        let progress = PyProgress {
            callback: progress,
            total: AtomicU64::new(0),
            done: AtomicU64::new(0),
        };
        let context = Context {
            stop: &flag,
            progress: &progress,
            command_line: vec!["govsim-python".into()],
        };
        work(&context)
    })?;
    result.map_err(|e| to_py(py, e))
}

/// Runs an experiment request; its tables.
fn experiment(
    py: Python<'_>,
    progress: Option<Py<PyAny>>,
    work: impl FnOnce(&Context) -> Result<api::Experiment, Error> + Send + 'static,
) -> PyResult<Py<PyDict>> {
    let experiment = with_context(py, progress, work)?;
    experiment_tables(py, &experiment).map_err(|e| to_py(py, e))
}

/// Runs an analysis that writes its folder (the package reads the tables
/// back from it).
fn analysis<T: Send + 'static>(
    py: Python<'_>,
    progress: Option<Py<PyAny>>,
    work: impl FnOnce(&Context) -> Result<T, Error> + Send + 'static,
) -> PyResult<()> {
    with_context(py, progress, work).map(|_| ())
}

/// `govsim compare`: scenarios side by side over paired replications.
#[pyfunction]
#[pyo3(signature = (scenarios, names, sets, reps, runner, progress = None))]
fn compare(
    py: Python<'_>,
    scenarios: Vec<PathBuf>,
    names: Vec<String>,
    sets: Vec<Vec<String>>,
    reps: u32,
    runner: RunnerArgs,
    progress: Option<Py<PyAny>>,
) -> PyResult<Py<PyDict>> {
    let request = CompareRequest {
        scenarios,
        names,
        sets,
        reps: Reps::Fixed(reps),
        runner: runner.into(),
    };
    experiment(py, progress, move |context| api::compare(&request, context))
}

/// `govsim sweep`: levers varied over a grid (`sample="grid"`) or a Latin
/// hypercube (`sample="lhs:N"`).
#[pyfunction]
#[pyo3(signature = (scenarios, vary, sample, reps, runner, progress = None))]
fn sweep(
    py: Python<'_>,
    scenarios: Vec<PathBuf>,
    vary: Vec<String>,
    sample: String,
    reps: u32,
    runner: RunnerArgs,
    progress: Option<Py<PyAny>>,
) -> PyResult<Py<PyDict>> {
    let sample = design::parse_sample(&sample).map_err(|e| to_py(py, Error::Input(e)))?;
    let request = SweepRequest {
        scenarios,
        vary,
        sample,
        reps: Reps::Fixed(reps),
        runner: runner.into(),
    };
    experiment(py, progress, move |context| api::sweep(&request, context))
}

/// `govsim decompose`: the difference between two scenarios attributed to
/// groups of levers (Shapley values), written to `runner["out"]`.
#[pyfunction]
#[pyo3(signature = (base, target, groups, metrics, reps, runner, progress = None))]
#[allow(clippy::too_many_arguments)]
fn decompose(
    py: Python<'_>,
    base: PathBuf,
    target: PathBuf,
    groups: Vec<String>,
    metrics: Vec<String>,
    reps: u32,
    runner: RunnerArgs,
    progress: Option<Py<PyAny>>,
) -> PyResult<()> {
    let request = api::DecomposeRequest {
        base,
        target,
        groups,
        metrics,
        reps: Reps::Fixed(reps),
        runner: runner.into(),
    };
    analysis(py, progress, move |context| {
        api::decompose(&request, context)
    })
}

/// `govsim sensitivity`: Morris screening or Sobol' indices of levers,
/// written to `runner["out"]`.
#[pyfunction]
#[pyo3(signature = (scenario, baseline, method, vary, samples, reps, metrics, levels, second_order, bootstrap, runner, progress = None))]
#[allow(clippy::too_many_arguments)]
fn sensitivity(
    py: Python<'_>,
    scenario: PathBuf,
    baseline: Option<PathBuf>,
    method: &str,
    vary: Vec<String>,
    samples: usize,
    reps: u32,
    metrics: Vec<String>,
    levels: u32,
    second_order: bool,
    bootstrap: usize,
    runner: RunnerArgs,
    progress: Option<Py<PyAny>>,
) -> PyResult<()> {
    let method = match method {
        "morris" => api::MethodRequest::Morris,
        "sobol" => api::MethodRequest::Sobol,
        other => {
            return Err(to_py(
                py,
                Error::Input(govsim::error::InputError::new(
                    "method",
                    format!("`{other}`: expected `morris` or `sobol`"),
                )),
            ));
        }
    };
    let request = api::SensitivityRequest {
        scenario: Some(scenario),
        baseline,
        method,
        vary,
        samples,
        reps,
        metrics,
        levels,
        second_order,
        bootstrap,
        function: None,
        runner: runner.into(),
    };
    analysis(py, progress, move |context| {
        api::sensitivity(&request, context)
    })
}

/// `govsim calibrate`: ABC-SMC of levers against targets, written to `out`.
#[pyfunction]
#[pyo3(signature = (scenario, set, vary, targets, targets_file, samples, generations, reps, days, seed, threads, max_memory, out, resume, progress = None))]
#[allow(clippy::too_many_arguments)]
fn calibrate(
    py: Python<'_>,
    scenario: PathBuf,
    set: Vec<String>,
    vary: Vec<String>,
    targets: Vec<String>,
    targets_file: Option<PathBuf>,
    samples: usize,
    generations: usize,
    reps: u32,
    days: Option<u32>,
    seed: u64,
    threads: Option<usize>,
    max_memory: Option<u64>,
    out: PathBuf,
    resume: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<()> {
    let request = api::CalibrateRequest {
        scenario,
        set,
        vary,
        targets,
        targets_file,
        samples,
        generations,
        reps,
        days,
        seed,
        threads,
        max_memory,
        out: Some(out),
        resume,
    };
    analysis(py, progress, move |context| {
        api::calibrate(&request, context)
    })
}

/// `govsim validate`: pattern files' claims judged, written to `out`.
#[pyfunction]
#[pyo3(signature = (patterns, reps, days, threads, max_memory, out, resume, progress = None))]
#[allow(clippy::too_many_arguments)]
fn validate(
    py: Python<'_>,
    patterns: Vec<PathBuf>,
    reps: Option<u32>,
    days: Option<u32>,
    threads: Option<usize>,
    max_memory: Option<u64>,
    out: PathBuf,
    resume: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<()> {
    let request = api::ValidateRequest {
        patterns,
        reps,
        days,
        threads,
        out: Some(out),
        resume,
        max_memory,
    };
    analysis(py, progress, move |context| {
        api::validate(&request, context)
    })
}

/// Events of a live run as `(day, text)`.
type Events = Vec<(u32, String)>;

/// The most residents a live run from Python may have (the server's bound
/// is the teacher's laptop; a notebook may hold the whole district).
const MAX_LIVE_RESIDENTS: u64 = 10_000_000;

/// A run stepped a few days at a time whose levers move between steps, as
/// the live app's (for teaching in a notebook).
#[pyclass(module = "govsim._govsim", frozen)]
struct LiveRun {
    run: Mutex<api::LiveRun>,
}

/// The live run, even if a step panicked while holding it.
fn hold(run: &Mutex<api::LiveRun>) -> std::sync::MutexGuard<'_, api::LiveRun> {
    run.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[pymethods]
impl LiveRun {
    /// Builds the district of `path` with `set` overrides for `seed` and
    /// steps its warm-up.
    #[new]
    #[pyo3(signature = (path, set = Vec::new(), seed = 1))]
    fn new(py: Python<'_>, path: PathBuf, set: Vec<String>, seed: u64) -> PyResult<Self> {
        let run = py
            .detach(|| {
                let source = ScenarioSource::read(&path)?;
                api::LiveRun::start(&source, &set, seed, MAX_LIVE_RESIDENTS)
            })
            .map_err(|e| to_py(py, Error::Input(e)))?;
        Ok(Self {
            run: Mutex::new(run),
        })
    }

    /// Days simulated so far.
    #[getter]
    fn day(&self) -> u32 {
        hold(&self.run).day()
    }

    /// Simulates `days` more days (up to the live bound of 3,650 in all):
    /// the rows of those days as CSV and their events as `(day, text)`.
    fn step(&self, py: Python<'_>, days: u32) -> PyResult<(Py<PyBytes>, Events)> {
        let (rows, events) = py
            .detach(|| -> Result<_, Error> {
                let stepped = hold(&self.run).step(days);
                let rows = table(&stepped.rows)?;
                let events = stepped
                    .events
                    .into_iter()
                    .map(|e| (e.day, e.text))
                    .collect();
                Ok((rows, events))
            })
            .map_err(|e| to_py(py, e))?;
        Ok((PyBytes::new(py, &rows).unbind(), events))
    }

    /// Moves levers (`KEY=VALUE`) from the next day: the changes as
    /// `(day, key, value)`. A lever read only when the district is built
    /// is refused, and nothing moves.
    fn set(&self, py: Python<'_>, items: Vec<String>) -> PyResult<Vec<(u32, String, String)>> {
        let changes = hold(&self.run)
            .set(&items)
            .map_err(|e| to_py(py, Error::Input(e)))?;
        Ok(changes
            .into_iter()
            .map(|c| (c.day, c.key, c.value))
            .collect())
    }

    /// Every row so far, as CSV.
    fn timeseries(&self, py: Python<'_>) -> PyResult<Py<PyBytes>> {
        let csv = hold(&self.run)
            .timeseries_csv()
            .map_err(|e| RunError::new_err(format!("cannot tabulate: {e}")))?;
        Ok(PyBytes::new(py, &csv).unbind())
    }

    /// Every lever moved so far, as `(day, key, value)`.
    fn changes(&self) -> Vec<(u32, String, String)> {
        hold(&self.run)
            .changes()
            .iter()
            .map(|c| (c.day, c.key.clone(), c.value.clone()))
            .collect()
    }

    /// The district as the live app's map draws it, as JSON: `day`,
    /// `grids` and `communities`.
    fn map_json(&self) -> PyResult<String> {
        serde_json::to_string(&hold(&self.run).map())
            .map_err(|e| RunError::new_err(format!("cannot write the map: {e}")))
    }
}

mod shipped {
    include!(concat!(env!("OUT_DIR"), "/shipped.rs"));
}

/// Writes the shipped scenarios embedded in this module into `folder`
/// (made if missing; each file written to a temporary name, synced, then
/// renamed): the scenarios as they were when the module was built.
#[pyfunction]
fn write_shipped_scenarios(folder: PathBuf) -> PyResult<()> {
    for (name, text) in shipped::SHIPPED {
        let path = folder.join(name);
        let parent = path.parent().unwrap_or(&folder);
        std::fs::create_dir_all(parent)
            .and_then(|_| govsim::util::files::write_atomic(&path, text.as_bytes()))
            .map_err(|e| RunError::new_err(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

/// The shipped scenarios' names (`regimes/party_led.toml`, …) embedded in
/// this module.
#[pyfunction]
fn shipped_names() -> Vec<&'static str> {
    shipped::SHIPPED.iter().map(|(name, _)| *name).collect()
}

/// A digest of the embedded scenarios (names and texts), to name the cache
/// folder they are written to: a module built from other scenarios writes
/// its own.
#[pyfunction]
fn shipped_digest() -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    shipped::SHIPPED.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// The shipped scenarios' folder of the checkout this module was built
/// from, where it still is (else the package writes the embedded ones to a
/// cache folder).
#[pyfunction]
fn shipped_scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."))
        .join("scenarios")
}

/// The module.
#[pymodule]
fn _govsim(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("GovsimError", py.get_type::<GovsimError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("RunError", py.get_type::<RunError>())?;
    m.add_class::<Scenario>()?;
    m.add_class::<LiveRun>()?;
    m.add_function(wrap_pyfunction!(levers, m)?)?;
    m.add_function(wrap_pyfunction!(summary_columns, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(decompose, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(shipped_scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(shipped_names, m)?)?;
    m.add_function(wrap_pyfunction!(shipped_digest, m)?)?;
    m.add_function(wrap_pyfunction!(write_shipped_scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(arrow_table, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
