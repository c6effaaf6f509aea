//! `tae-rescan rescan`: ids in, one result line per task out.

use std::process::ExitCode;
use std::sync::Arc;

use secrecy::SecretString;

use super::output::print_all;
use super::{Cli, EXIT_NOT_ALL_ACCEPTED, EXIT_USAGE, RescanArgs, UsageError};
use crate::api::client::describe_request;
use crate::api::params::{parse_bool, validate_file_ext, validate_url};
use crate::api::{Client, RescanParams, TaskId};
use crate::config::{self, Config};
use crate::import::{Imported, ImportedTask, parse_any, read_text};
use crate::startup::Connection;
use crate::term::prompt;

mod sending;
use sending::{Ended, send_all};

/// Runs the command; errors before sending are [`UsageError`]s (exit 2).
pub async fn run(cli: &Cli, args: &RescanArgs) -> Result<ExitCode, UsageError> {
    let ids = collect_ids(args)?;
    let params = build_params(args)?;
    if args.dry_run && !cli.demo {
        let config = Config::load(&cli.overrides())?;
        return dry_run(&config, &ids, &params);
    }
    // Kept to the end: in demo mode it holds the simulator.
    let connection = if cli.demo {
        Connection::demo(&cli.overrides())
            .await
            .map_err(UsageError)?
    } else {
        Connection::account(&Config::load(&cli.overrides())?, &mut ask_password)?
    };
    let settings = &connection.settings;
    if args.dry_run {
        return print_all(ids.iter().map(|id| {
            format!(
                "{}\n",
                describe_request(&settings.base_url, &settings.username, id, &params)
            )
        }));
    }
    warn_about_identity(&connection);
    let client = Client::new(settings).map_err(|e| UsageError(e.to_string()))?;
    let store = super::open_store(super::data_dir(cli))?;
    // On the runtime's worker, with the worker's own tasks: each result
    // then reaches the printer without waking another thread (the main
    // thread only waits for the end).
    let ended = tokio::spawn(send_all(
        Arc::new(client),
        connection.worker.clone(),
        store,
        ids,
        params,
        args.output,
    ))
    .await
    // Nothing aborts the task; a panic in it stays a panic.
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    Ok(match ended {
        Ended::Done(true) | Ended::OutputClosed => ExitCode::SUCCESS,
        Ended::Done(false) => ExitCode::from(EXIT_NOT_ALL_ACCEPTED),
        Ended::OutputFailed => ExitCode::from(EXIT_USAGE),
    })
}

/// Asks on stderr, without echo, for a password nothing configures; with
/// no terminal there is nobody to ask.
fn ask_password(user: &str) -> Result<Option<SecretString>, config::ConfigError> {
    let mut err = std::io::stderr();
    if !prompt::can_ask(&err) {
        return Ok(None);
    }
    match prompt::ask_secret(
        &prompt::password_prompt(user),
        &mut err,
        prompt::Echo::Nothing,
    ) {
        Ok(prompt::Answer::Typed(password)) => Ok(Some(password)),
        Ok(prompt::Answer::Cancelled) => Err(config::ConfigError::new(
            "left the password prompt; nothing was sent".into(),
        )),
        Err(e) => Err(config::ConfigError::new(format!(
            "cannot read the password from the terminal: {}",
            crate::text::io_reason(&e)
        ))),
    }
}

/// Ids from the arguments and `--from-file`, validated; any invalid id stops
/// the run before anything is sent.
fn collect_ids(args: &RescanArgs) -> Result<Vec<TaskId>, UsageError> {
    let mut list = arguments(&args.task_ids);
    if let Some(path) = &args.from_file {
        let (name, body) = read_text(path).map_err(UsageError)?;
        list.extend(parse_any(&body, &name));
    }
    if let Some(first) = list.errors.first() {
        let more = if list.errors.len() > 1 {
            format!(" (and {} more invalid ids)", list.errors.len() - 1)
        } else {
            String::new()
        };
        return Err(UsageError(format!("{first}{more}; nothing was sent")));
    }
    if list.tasks.is_empty() {
        return Err(UsageError(
            "no task ids given: pass TASK_ID... or --from-file PATH".into(),
        ));
    }
    if list.duplicates > 0 {
        eprintln!(
            "tae-rescan: note: {} duplicate task ids skipped",
            list.duplicates
        );
    }
    Ok(list.ids())
}

/// Ids given as arguments: each argument is exactly one id (no comments, no
/// splitting on newlines, an empty one is an error), unlike a file's lines.
fn arguments(raw: &[String]) -> Imported {
    let mut valid = Imported::default();
    let mut errors = Vec::new();
    for (n, arg) in raw.iter().enumerate() {
        match TaskId::parse(arg) {
            Ok(id) => valid.tasks.push(ImportedTask {
                id,
                label: None,
                url: None,
            }),
            Err(e) => errors.push(format!("argument {}: {e}", n + 1)),
        }
    }
    // One pass that keeps each id once (extending per argument rebuilt the
    // set of seen ids every time: quadratic for a long xargs line).
    let mut list = Imported {
        errors,
        ..Imported::default()
    };
    list.extend(valid);
    list
}

/// The parameters from the flags, validated with the same rules as the form.
fn build_params(args: &RescanArgs) -> Result<RescanParams, UsageError> {
    let fail = |e: crate::api::params::ParamError| {
        UsageError(format!("--{}: {}", e.field.replace('_', "-"), e.reason))
    };
    if let Some(var) = &args.unzip_password_env {
        // It holds a secret: `password_command` must not inherit it.
        config::hide_from_commands(var);
    }
    let unzip_password = match (&args.unzip_password, &args.unzip_password_env) {
        (Some(p), _) => Some(SecretString::from(p.clone())),
        (None, Some(var)) => Some(SecretString::from(std::env::var(var).map_err(|_| {
            UsageError(format!(
                "--unzip-password-env: environment variable {var} is not set"
            ))
        })?)),
        (None, None) => None,
    };
    let params = RescanParams {
        url: args.url.clone(),
        file_ext: args.file_ext.clone(),
        processing_type: args
            .processing_type
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(fail)?,
        unzip_password,
        reset_similarity_thresholds: args
            .reset_similarity_thresholds
            .as_deref()
            .map(|v| parse_bool("reset_similarity_thresholds", v))
            .transpose()
            .map_err(fail)?,
        unpack: args
            .unpack
            .as_deref()
            .map(|v| parse_bool("unpack", v))
            .transpose()
            .map_err(fail)?,
    };
    if let Some(u) = &params.url {
        validate_url(u).map_err(fail)?;
    }
    if let Some(e) = &params.file_ext {
        validate_file_ext(e).map_err(fail)?;
    }
    params.validate().map_err(fail)?;
    Ok(params)
}

fn dry_run(config: &Config, ids: &[TaskId], params: &RescanParams) -> Result<ExitCode, UsageError> {
    let user = config
        .username
        .as_ref()
        .map(|u| u.value.as_str())
        .unwrap_or("<no user configured>");
    let cert = config
        .client_cert
        .as_ref()
        .map(|c| format!("# client certificate: {}", c.value.display()))
        .unwrap_or_else(|| "# no client certificate configured ([api] client_cert)".into());
    let proxy = config
        .proxy
        .as_ref()
        .map(|p| format!("\n# via proxy {} ({})", p.value, p.whence()))
        .unwrap_or_default();
    print_all(ids.iter().map(|id| {
        format!(
            "{}\n{cert}{proxy}\n",
            describe_request(&config.base_url.value, user, id, params)
        )
    }))
}

fn warn_about_identity(connection: &Connection) {
    let Some(id) = &connection.settings.identity else {
        eprintln!(
            "tae-rescan: warning: no client certificate configured ([api] client_cert or TIP_CLIENT_CERT); TAE answers 403 without one"
        );
        return;
    };
    if let Some(left) = connection.expires_soon() {
        eprintln!(
            "tae-rescan: warning: the client certificate ({}) expires on {} ({left} left): renew it on the portal",
            crate::text::sanitize(&id.subject),
            id.not_after_text
        );
    }
}
