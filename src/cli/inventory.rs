//! `tae-rescan tasks`: the task inventory the dashboard keeps, for scripts.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;

use super::{Cli, EXIT_NOT_ALL_ACCEPTED, OutputFormat, TasksAction, TasksArgs, UsageError};
use crate::api::TaskId;
use crate::import::{parse_any, read_text};
use crate::store::{StoredParams, StoredTask};
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
            let tasks = store.load_tasks().await.map_err(fail)?;
            print_list(&tasks, *output)
                .map_err(|e| UsageError(format!("cannot write the output: {}", io_reason(&e))))?;
            Ok(ExitCode::SUCCESS)
        }
        TasksAction::Import { file } => {
            let (name, text) = read_text(file).map_err(UsageError)?;
            let imported = parse_any(&text, &name);
            if imported.tasks.is_empty() && !imported.errors.is_empty() {
                return Err(UsageError(format!(
                    "{}; nothing was imported",
                    imported.errors[0]
                )));
            }
            let store = open()?;
            let known: std::collections::HashSet<TaskId> = store
                .load_tasks()
                .await
                .map_err(fail)?
                .into_iter()
                .map(|t| t.id)
                .collect();
            let new: Vec<StoredTask> = imported
                .tasks
                .iter()
                .filter(|t| !known.contains(&t.id))
                .map(|t| StoredTask {
                    id: t.id.clone(),
                    label: t.label.clone().unwrap_or_default(),
                    url: t.url.clone(),
                    params: StoredParams::default(),
                    last: None,
                })
                .collect();
            let added = new.len();
            store.upsert_tasks(new).await.map_err(fail)?;
            let already = imported.tasks.len() - added + imported.duplicates;
            println!("imported {added} tasks from {name} ({already} already listed)");
            for e in &imported.errors {
                eprintln!("tae-rescan: skipped {e}");
            }
            Ok(if imported.errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(EXIT_NOT_ALL_ACCEPTED)
            })
        }
        TasksAction::Export { file } => {
            let store = open()?;
            let tasks = store.load_tasks().await.map_err(fail)?;
            export(&tasks, file)?;
            println!("exported {} tasks to {}", tasks.len(), file.display());
            Ok(ExitCode::SUCCESS)
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
            println!(
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
        last_outcome: t.last.as_ref().map(|l| l.outcome.as_str()),
        params,
    }
}

fn print_list(tasks: &[StoredTask], output: OutputFormat) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for t in tasks {
        match output {
            OutputFormat::Json => {
                serde_json::to_writer(&mut out, &row(t))?;
                out.write_all(b"\n")?;
            }
            OutputFormat::Text => {
                let last = t.last.as_ref().map_or("never sent", |l| l.outcome.as_str());
                let label = crate::text::sanitize(&t.label);
                writeln!(out, "{:<34}  {:<20}  {label}", t.id, last)?;
            }
        }
    }
    out.flush()
}

/// Writes a new file: CSV for `.csv`, a JSON array for `.json`, else one id
/// per line. Never overwrites.
fn export(tasks: &[StoredTask], path: &Path) -> Result<(), UsageError> {
    let mut out = crate::export::create_new(path).map_err(UsageError)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let written = match ext.as_str() {
        "csv" => crate::export::write_csv(&mut out, &ROW_FIELDS, tasks.iter().map(row)),
        "json" => {
            serde_json::to_writer_pretty(&mut out, &tasks.iter().map(row).collect::<Vec<_>>())
                .map_err(std::io::Error::other)
        }
        _ => tasks.iter().try_for_each(|t| writeln!(out, "{}", t.id)),
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))
}
