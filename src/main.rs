//! The `govsim` binary: flags into the library's typed requests
//! (`cli.rs`), the commands run by the library (`govsim::app::commands`), what
//! they return printed, and the error's exit code (2: bad input, 1: failure
//! at run time, 130: stopped by Ctrl-C with what was done kept).

mod cli;

use std::io::{IsTerminal, Write as _};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use govsim::app::commands;
use govsim::error::Result;
use govsim::experiment::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use cli::{Cli, Command};

/// Set by Ctrl-C: experiments stop starting runs and keep what is done.
static STOP: AtomicBool = AtomicBool::new(false);

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // Bare `govsim`: the commands and how to get help, on stderr.
            let _ = e.print();
            return ExitCode::from(2);
        }
        Err(e) => {
            // Bad flags: the error and clap's "did you mean", without the
            // usage block, and without clap's tip to pass a flag as a value
            // after `--` (never what is meant here).
            let text = e.render().to_string();
            let mut line = String::new();
            for part in text
                .lines()
                .map(str::trim)
                .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more"))
                .filter(|l| !l.is_empty() && !l.starts_with("tip: to pass"))
            {
                if !line.is_empty() {
                    line.push_str(if line.ends_with(':') { " " } else { "; " });
                }
                line.push_str(part);
            }
            if let Some(hint) = experiment_flag_hint(&text) {
                line.push_str("; ");
                line.push_str(hint);
            }
            say_error(&line);
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            say_error(&e.to_string());
            ExitCode::from(e.exit_code())
        }
    }
}

/// What to say when a flag of the experiments is given to `run` or
/// `check`, which make one run.
fn experiment_flag_hint(error: &str) -> Option<&'static str> {
    let experiment_flag = [
        "'--reps'",
        "'--vary'",
        "'--precision'",
        "'--shard'",
        "'--resume'",
    ]
    .iter()
    .any(|f| error.contains(f));
    (experiment_flag && error.contains("unexpected argument")).then_some(
        "`govsim run` makes one run of one seed; replications, sweeps and shards are for `govsim compare` and `govsim sweep` (e.g. `govsim compare FILE.toml --reps 30`)",
    )
}

/// Runs the command and prints what it returns.
fn run(cli: Cli) -> Result<ExitCode> {
    // Arguments that are not UTF-8 (a path of another encoding) are kept
    // for the manifest as lossy text; clap has parsed them as paths already
    // (issue 29, item 9: std::env::args panicked on them).
    let command_line: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let bar = Bar::default();
    let context = govsim::api::Context {
        stop: &STOP,
        progress: &bar,
        command_line: command_line.clone(),
    };
    let text = match cli.command {
        Command::Check(args) => commands::check(&args.try_into()?)?,
        Command::Run(args) => commands::run(&args.try_into()?, command_line)?,
        Command::Compare(args) => {
            start_stop_handler();
            commands::compare(&args.try_into()?, &context)?
        }
        Command::Sweep(args) => {
            start_stop_handler();
            commands::sweep(&args.try_into()?, &context)?
        }
        Command::Decompose(args) => {
            start_stop_handler();
            commands::decompose(&args.try_into()?, &context)?
        }
        Command::Merge(args) => {
            commands::merge(&args.dirs, &args.out, args.allow_partial, command_line)?
        }
        Command::Report(args) => commands::report(&args.dir)?,
        Command::Calibrate(args) => {
            start_stop_handler();
            commands::calibrate(&args.try_into()?, &context)?
        }
        Command::Validate(args) => {
            start_stop_handler();
            commands::validate(&args.try_into()?, &context)?
        }
        Command::Serve(args) => {
            start_stop_handler();
            commands::serve(&args.into(), &STOP, |line| {
                use std::io::Write as _;
                let _ = writeln!(std::io::stdout(), "{line}");
                let _ = std::io::stdout().flush();
            })?
        }
        Command::Sensitivity(args) => {
            start_stop_handler();
            commands::sensitivity(&args.try_into()?, &context)?
        }
    };
    // A closed pipe or a full disk is said, not a panic (issue 29, item 9).
    if let Err(e) = std::io::stdout()
        .write_all(text.as_bytes())
        .and_then(|()| std::io::stdout().flush())
    {
        say_error(&format!("error: cannot write to standard output: {e}"));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// A line on standard error; if even that cannot be written, nothing more
/// can be said, and the exit code says it.
fn say_error(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn start_stop_handler() {
    // If a handler cannot be installed, Ctrl-C simply ends the process; what
    // runs.csv holds is still kept and --resume still works.
    let _ = ctrlc::set_handler(|| STOP.store(true, Ordering::SeqCst));
}

/// The progress bar of experiments, drawn on standard error when it is a
/// terminal.
#[derive(Default)]
struct Bar(std::sync::OnceLock<ProgressBar>);

impl Progress for Bar {
    fn note(&self, text: &str) {
        say_error(text);
    }

    fn start(&self, total: u64, done: u64) {
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{bar:40} {pos}/{len} runs  {per_sec}  elapsed {elapsed}  ETA {eta}",
            ) {
                bar.set_style(style);
            }
            bar
        } else {
            ProgressBar::hidden()
        };
        bar.set_position(done);
        let _ = self.0.set(bar);
    }

    fn advance(&self) {
        if let Some(bar) = self.0.get() {
            bar.inc(1);
        }
    }

    fn stopped(&self) {
        if let Some(bar) = self.0.get() {
            bar.abandon();
        }
    }

    fn finished(&self) {
        if let Some(bar) = self.0.get() {
            bar.finish_and_clear();
        }
    }
}
