//! `tae-rescan tasks`: the task inventory the dashboard keeps, for scripts.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;

use super::output::output_error;
use super::{Cli, EXIT_NOT_ALL_ACCEPTED, OutputFormat, TasksAction, TasksArgs, UsageError};
use crate::api::TaskId;
use crate::api::outcome::NEVER_SENT;
use crate::import::{Entry, Stopped, open_input, stream_any};
use crate::store::{StoreHandle, StoredTask};
use crate::text::io_reason;

/// Runs one inventory action.
pub async fn run(cli: &Cli, args: &TasksArgs) -> Result<ExitCode, UsageError> {
    super::check_config(cli)?;
    // Opened per action, after its input was checked: a failed import must
    // not leave a new database behind.
    let open = || super::open_store(super::data_dir(cli));
    let fail = |e: crate::store::StoreError| UsageError(e.to_string());
    match &args.action {
        TasksAction::List { output } => {
            let store = open()?;
            print_list(&store, *output).await
        }
        TasksAction::Import { file } => import(cli, file),
        TasksAction::Export { file } => {
            let store = open()?;
            let tasks = store.load_tasks().await.map_err(fail)?;
            export(&tasks, file)
        }
        TasksAction::Remove { ids } => {
            let ids: Vec<TaskId> = ids
                .iter()
                .enumerate()
                .map(|(n, i)| {
                    TaskId::parse(i).map_err(|e| UsageError(format!("argument {}: {e}", n + 1)))
                })
                .collect::<Result<_, _>>()?;
            let removed = open()?.remove_tasks(ids.clone()).await.map_err(fail)?;
            eprintln!(
                "removed {removed} of {} tasks (their history stays)",
                ids.len()
            );
            Ok(if removed == ids.len() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(EXIT_NOT_ALL_ACCEPTED)
            })
        }
    }
}

/// An inventory entry as exported: what `tasks import` and the dashboard's
/// import read back.
#[derive(Serialize)]
struct Row<'a> {
    task_id: &'a str,
    label: &'a str,
    url: Option<&'a str>,
    last_outcome: Option<&'a str>,
    params: String,
}

/// [`Row`]'s fields in order: the CSV header.
const ROW_FIELDS: [&str; 5] = ["task_id", "label", "url", "last_outcome", "params"];

fn row(t: &StoredTask) -> Row<'_> {
    let params = t.params.to_params().masked_query();
    Row {
        task_id: t.id.as_str(),
        label: &t.label,
        url: t.url.as_deref(),
        last_outcome: t.last.as_ref().map(|l| l.outcome.label()),
        params,
    }
}

/// Prints the inventory as it is read, chunk by chunk: a huge inventory
/// is never held whole.
async fn print_list(store: &StoreHandle, output: OutputFormat) -> Result<ExitCode, UsageError> {
    let mut out = std::io::BufWriter::new(std::io::stdout());
    let mut chunks = store.load_tasks_in_chunks();
    while let Some(chunk) = chunks.recv().await {
        let chunk = chunk.map_err(|e| UsageError(e.to_string()))?;
        if let Err(e) = print_tasks(&mut out, &chunk.tasks, output) {
            return output_error(e);
        }
    }
    out.flush()
        .map_or_else(output_error, |()| Ok(ExitCode::SUCCESS))
}

fn print_tasks(
    out: &mut impl Write,
    tasks: &[StoredTask],
    output: OutputFormat,
) -> std::io::Result<()> {
    for t in tasks {
        match output {
            OutputFormat::Json => {
                serde_json::to_writer(&mut *out, &row(t))?;
                out.write_all(b"\n")?;
            }
            OutputFormat::Text => {
                let last = t.last.as_ref().map_or(NEVER_SENT, |l| l.outcome.label());
                let label = crate::text::sanitize(&t.label);
                writeln!(out, "{:<34}  {:<20}  {label}", t.id, last)?;
            }
        }
    }
    Ok(())
}

/// Entries read ahead of the store: the first batch decides whether the
/// store is opened at all (a file with no valid id creates no database),
/// and while one batch is written the reader fills the next. Bounded, so
/// memory does not grow with the file.
const IMPORT_BATCH: usize = 10_000;

/// What the import's reader thread hands over.
enum Piece {
    /// The next entries, in file order; a short batch is the last.
    Batch(Vec<Entry>),
    /// The input is refused as a whole: nothing of it may be kept.
    Refused(UsageError),
}

/// `tasks import FILE`: the file is read on its own thread while its tasks
/// are added, in one transaction. An id already listed, or earlier in the
/// file, counts as already listed; a file that cannot be read to its end
/// adds nothing.
fn import(cli: &Cli, file: &Path) -> Result<ExitCode, UsageError> {
    let (name, input) = open_input(file).map_err(UsageError)?;
    let (tx, pieces) = std::sync::mpsc::sync_channel::<Piece>(1);
    let source = name.clone();
    let reader = std::thread::Builder::new()
        .name("tae-rescan-import".into())
        .spawn(move || read_batches(input, &source, &tx))
        .map_err(|e| UsageError(format!("cannot start reading {name}: {}", io_reason(&e))))?;
    let mut pieces = pieces.into_iter().map(|piece| match piece {
        Piece::Batch(batch) => Ok(batch),
        Piece::Refused(e) => Err(e),
    });
    let first = pieces.next().transpose()?.unwrap_or_default();
    let mut counts = Counts::default();
    if first.len() < IMPORT_BATCH {
        // The whole input: refuse it before a database is created.
        counts.count(&first);
        counts.refuse_if_nothing_valid()?;
        counts = Counts::default();
    }
    let fail = |e: crate::store::StoreError| UsageError(e.to_string());
    let mut store = super::open_store_here(super::data_dir(cli))?;
    let mut adding = store.new_tasks().map_err(fail)?;
    for batch in std::iter::once(Ok(first)).chain(&mut pieces) {
        // A refused input returns here, dropping `adding`: rolled back.
        let batch = batch?;
        counts.count(&batch);
        for entry in batch {
            if let Entry::Task(t) = entry {
                let label = t.label.as_deref().unwrap_or("");
                adding.add(&t.id, label, t.url.as_deref()).map_err(fail)?;
            }
        }
    }
    if let Err(panic) = reader.join() {
        std::panic::resume_unwind(panic);
    }
    counts.refuse_if_nothing_valid()?;
    let added = adding.commit().map_err(fail)?;
    let already = counts.valid - added;
    eprintln!("imported {added} tasks from {name} ({already} already listed)");
    for e in &counts.errors {
        eprintln!("tae-rescan: skipped {e}");
    }
    Ok(if counts.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_NOT_ALL_ACCEPTED)
    })
}

/// The reader thread: full batches as they fill, then the short last one,
/// or the reason the input is refused. Stops early when the other side
/// has hung up (it failed and says why).
fn read_batches(input: impl std::io::Read, source: &str, tx: &std::sync::mpsc::SyncSender<Piece>) {
    let mut batch = Vec::with_capacity(IMPORT_BATCH);
    let read = stream_any(input, source, |entry| {
        batch.push(entry);
        if batch.len() < IMPORT_BATCH {
            return Ok(());
        }
        let full = std::mem::replace(&mut batch, Vec::with_capacity(IMPORT_BATCH));
        tx.send(Piece::Batch(full))
    });
    let last = match read {
        Ok(()) => Piece::Batch(batch),
        Err(Stopped::Read(e)) => Piece::Refused(UsageError(e)),
        Err(Stopped::Format(e)) => Piece::Refused(UsageError(format!("{e}; nothing was imported"))),
        Err(Stopped::Receiver(_)) => return,
    };
    let _ = tx.send(last);
}

/// What an import brought: valid entries (duplicates included) and the
/// lines for rejected ones.
#[derive(Default)]
struct Counts {
    valid: usize,
    errors: Vec<String>,
}

impl Counts {
    fn count(&mut self, batch: &[Entry]) {
        for entry in batch {
            match entry {
                Entry::Task(_) => self.valid += 1,
                Entry::Invalid(e) => self.errors.push(e.clone()),
            }
        }
    }

    /// Only rejected entries: the import fails, naming the first.
    fn refuse_if_nothing_valid(&self) -> Result<(), UsageError> {
        match self.errors.first() {
            Some(first) if self.valid == 0 => {
                Err(UsageError(format!("{first}; nothing was imported")))
            }
            _ => Ok(()),
        }
    }
}

/// `tasks export FILE`: a new file, CSV for `.csv`, a JSON array for
/// `.json`, else one id per line, never overwritten; `-` writes the CSV,
/// every column of a `.csv` file, to stdout (ids alone would lose the
/// labels and URLs on the way to `tasks import -`). The count goes to
/// stderr, so stdout carries only data.
fn export(tasks: &[StoredTask], path: &Path) -> Result<ExitCode, UsageError> {
    if path.as_os_str() == "-" {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        if let Err(e) = write_tasks(tasks, "csv", &mut out).and_then(|()| out.flush()) {
            return output_error(e);
        }
        eprintln!("exported {} tasks to stdout", tasks.len());
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = crate::export::create_new(path).map_err(UsageError)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    write_tasks(tasks, &ext, &mut out)
        .and_then(|()| out.flush())
        .map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))?;
    eprintln!("exported {} tasks to {}", tasks.len(), path.display());
    Ok(ExitCode::SUCCESS)
}

/// The inventory in the format named by a file extension: CSV for `csv`,
/// a JSON array for `json`, else one id per line.
fn write_tasks(tasks: &[StoredTask], ext: &str, out: &mut dyn Write) -> std::io::Result<()> {
    match ext {
        "csv" => crate::export::write_csv(out, &ROW_FIELDS, tasks.iter().map(row)),
        "json" => serde_json::to_writer_pretty(out, &tasks.iter().map(row).collect::<Vec<_>>())
            .map_err(std::io::Error::other),
        _ => tasks.iter().try_for_each(|t| writeln!(out, "{}", t.id)),
    }
}
