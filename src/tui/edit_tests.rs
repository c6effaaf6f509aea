//! `update` tests for the `e` and `r` paths over tasks whose saved
//! parameters differ: `(mixed)` fields are left as each task has them, and
//! an unzip password that was not kept is asked for, never left out.

use ratatui::crossterm::event::KeyCode;
use secrecy::ExposeSecret;

use super::app::{App, Mode};
use super::form::Field;
use super::message::{Command, Message};
use super::test_support::{app_at, press};
use super::update::update;
use crate::api::{ProcessingType, RescanParams, TaskId};
use crate::store::{StoredParams, StoredTask, TaskChunk};
use crate::worker::Job;

fn app() -> App {
    app_at((120, 30), &[])
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

pub(super) fn zip(url: &str, password: &str) -> RescanParams {
    RescanParams {
        url: Some(url.into()),
        file_ext: Some("zip".into()),
        processing_type: Some(ProcessingType::UnzipAndExec),
        unzip_password: Some(password.into()),
        ..Default::default()
    }
}

/// The inventory as a restart reads it: each task with its stored params.
pub(super) fn loaded(app: &mut App, tasks: Vec<(&str, StoredParams)>) {
    let tasks: Vec<StoredTask> = tasks
        .into_iter()
        .map(|(id, params)| StoredTask {
            id: TaskId::parse(id).unwrap(),
            label: String::new(),
            url: None,
            params,
            last: None,
        })
        .collect();
    let total = tasks.len();
    update(app, Message::Loaded(Ok(TaskChunk { total, tasks })));
    update(app, Message::LoadFinished);
}

/// Two tasks with different urls and unzip passwords (remembered), both
/// marked, the form open on them.
fn two_different() -> App {
    let mut app = app();
    loaded(
        &mut app,
        vec![
            (
                "b-1",
                StoredParams::from_params(&zip("https://a.example/1.zip", "one"), true),
            ),
            (
                "b-2",
                StoredParams::from_params(&zip("https://a.example/2.zip", "two"), true),
            ),
        ],
    );
    press(&mut app, KeyCode::Char('*'));
    press(&mut app, KeyCode::Char('e'));
    app
}

fn url_and_password(app: &App, at: usize) -> (String, String) {
    let p = &app.tasks.rows()[at].params();
    (
        p.url.clone().unwrap_or_default(),
        p.unzip_password
            .as_ref()
            .map(|s| s.expose_secret().to_owned())
            .unwrap_or_default(),
    )
}

fn saves(commands: &[Command]) -> Vec<(String, RescanParams)> {
    commands
        .iter()
        .flat_map(|c| match c {
            Command::SaveTasks(t) => t
                .iter()
                .map(|t| (t.id.to_string(), t.params.clone()))
                .collect(),
            _ => vec![],
        })
        .collect()
}

fn jobs(commands: Vec<Command>) -> Vec<Job> {
    commands
        .into_iter()
        .flat_map(|c| match c {
            Command::Submit(jobs) => jobs,
            _ => vec![],
        })
        .collect()
}

fn sent_password(job: &Job) -> Option<String> {
    job.params
        .unzip_password
        .as_ref()
        .map(|s| s.expose_secret().to_owned())
}

#[test]
fn bulk_edit_enter_with_nothing_changed_changes_nothing() {
    let mut app = two_different();
    let Mode::Form(form) = &app.mode else {
        panic!("{:?}", app.mode)
    };
    assert!(form.is_mixed(Field::Url) && form.is_mixed(Field::UnzipPassword));
    assert!(!form.is_mixed(Field::FileExt));
    let commands = press(&mut app, KeyCode::Enter);
    assert!(saves(&commands).is_empty(), "no store write: {commands:?}");
    assert!(matches!(app.mode, Mode::Normal));
    assert_eq!(
        url_and_password(&app, 1),
        ("https://a.example/2.zip".into(), "two".into()),
        "the second task keeps its own url and password"
    );
    assert_eq!(
        url_and_password(&app, 0),
        ("https://a.example/1.zip".into(), "one".into())
    );
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("nothing changed")
    );
}

#[test]
fn bulk_edit_applies_the_changed_field_to_all_and_keeps_the_rest() {
    let mut app = two_different();
    press(&mut app, KeyCode::Tab);
    for _ in 0..3 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "7z");
    let saved = saves(&press(&mut app, KeyCode::Enter));
    assert_eq!(saved.len(), 2, "both tasks changed");
    for (at, (url, password)) in [
        ("https://a.example/1.zip", "one"),
        ("https://a.example/2.zip", "two"),
    ]
    .into_iter()
    .enumerate()
    {
        assert_eq!(
            app.tasks.rows()[at].params().file_ext.as_deref(),
            Some("7z")
        );
        assert_eq!(url_and_password(&app, at), (url.into(), password.into()));
        assert_eq!(saved[at].1.file_ext.as_deref(), Some("7z"));
        assert_eq!(saved[at].1.url.as_deref(), Some(url));
    }
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("saved for 2 tasks: file_ext=7z"),
        "{:?}",
        app.notice
    );
}

#[test]
fn bulk_edit_a_mixed_password_typed_goes_to_all_and_only_it() {
    let mut app = two_different();
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    let Mode::Form(form) = &app.mode else {
        panic!()
    };
    assert_eq!(form.focus, Field::UnzipPassword);
    assert_eq!(
        form.unzip_password.value(),
        "",
        "neither password is revealed"
    );
    type_text(&mut app, "same");
    let saved = saves(&press(&mut app, KeyCode::Enter));
    assert_eq!(saved.len(), 2);
    assert_eq!(
        url_and_password(&app, 0),
        ("https://a.example/1.zip".into(), "same".into())
    );
    assert_eq!(
        url_and_password(&app, 1),
        ("https://a.example/2.zip".into(), "same".into())
    );
}

#[test]
fn bulk_edit_setting_what_one_task_already_has_saves_only_the_other() {
    let mut app = two_different();
    type_text(&mut app, "https://a.example/1.zip");
    let saved = saves(&press(&mut app, KeyCode::Enter));
    let ids: Vec<&str> = saved.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["b-2"], "b-1 had that url already");
    assert_eq!(
        url_and_password(&app, 1),
        ("https://a.example/1.zip".into(), "two".into())
    );
}

/// A task saved with an unzip password while `remember_unzip_passwords`
/// was off, as the next start reads it.
pub(super) fn not_kept(url: &str) -> StoredParams {
    StoredParams::from_params(&zip(url, "lost"), false)
}

#[test]
fn r_on_a_task_whose_unzip_password_was_not_kept_asks_and_esc_sends_nothing() {
    let mut app = app();
    loaded(&mut app, vec![("z-1", not_kept("https://a.example/z.zip"))]);
    assert!(app.tasks.rows()[0].unzip_password_not_kept());
    assert!(app.tasks.rows()[0].params().unzip_password.is_none());
    let commands = press(&mut app, KeyCode::Char('r'));
    assert!(jobs(commands).is_empty(), "never sent without it");
    assert!(matches!(app.mode, Mode::UnzipPassword(_)), "{:?}", app.mode);
    assert!(
        jobs(press(&mut app, KeyCode::Enter)).is_empty(),
        "empty: not sent"
    );
    type_text(&mut app, "typed");
    let commands = press(&mut app, KeyCode::Esc);
    assert!(commands.is_empty(), "{commands:?}");
    assert!(matches!(app.mode, Mode::Normal));
    assert!(app.notice.as_ref().unwrap().text.contains("nothing sent"));
    assert!(
        app.tasks.rows()[0].unzip_password_not_kept(),
        "still not kept"
    );

    press(&mut app, KeyCode::Char('r'));
    type_text(&mut app, "s3cret");
    let sent = jobs(press(&mut app, KeyCode::Enter));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent_password(&sent[0]).as_deref(), Some("s3cret"));
    assert_eq!(
        sent[0].params.url.as_deref(),
        Some("https://a.example/z.zip")
    );
    assert!(sent[0].params.validate().is_ok());
}

#[test]
fn a_batch_with_a_password_not_kept_asks_once_and_esc_cancels_it_all() {
    let mut app = app();
    loaded(
        &mut app,
        vec![
            ("m-1", not_kept("https://a.example/1.zip")),
            (
                "m-2",
                StoredParams::from_params(&zip("https://a.example/2.zip", "kept"), true),
            ),
            ("m-3", StoredParams::default()),
        ],
    );
    press(&mut app, KeyCode::Char('*'));
    press(&mut app, KeyCode::Char('r'));
    assert!(jobs(press(&mut app, KeyCode::Char('y'))).is_empty());
    let Mode::UnzipPassword(prompt) = &app.mode else {
        panic!("{:?}", app.mode)
    };
    assert_eq!((prompt.ids.len(), prompt.needing), (3, 1));
    assert!(
        press(&mut app, KeyCode::Esc).is_empty(),
        "none of the batch"
    );
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("nothing sent of 3 tasks")
    );

    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Char('y'));
    type_text(&mut app, "pw");
    let mut sent = jobs(press(&mut app, KeyCode::Enter));
    sent.sort_by(|a, b| a.task.as_str().cmp(b.task.as_str()));
    let passwords: Vec<Option<String>> = sent.iter().map(sent_password).collect();
    assert_eq!(
        passwords,
        [Some("pw".into()), Some("kept".into()), None],
        "the typed one only where it was missing"
    );
}

#[test]
fn a_password_not_kept_survives_an_edit_of_another_field() {
    let mut app = app();
    loaded(&mut app, vec![("k-1", not_kept("https://a.example/k.zip"))]);
    press(&mut app, KeyCode::Char('e'));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Backspace);
    let commands = press(&mut app, KeyCode::Enter);
    let saved: Vec<bool> = commands
        .iter()
        .flat_map(|c| match c {
            Command::SaveTasks(t) => t.iter().map(|t| t.unzip_password_not_kept).collect(),
            _ => vec![],
        })
        .collect();
    assert_eq!(saved, [true], "the store keeps saying it is missing");
    assert!(app.tasks.rows()[0].unzip_password_not_kept());
    assert!(jobs(press(&mut app, KeyCode::Char('r'))).is_empty());
    assert!(matches!(app.mode, Mode::UnzipPassword(_)));
}

#[test]
fn the_curl_of_a_task_whose_password_was_not_kept_says_it_lacks_it() {
    let mut app = app();
    app.account.base_url = Some(url::Url::parse("https://tip.example").unwrap());
    loaded(&mut app, vec![("c-1", not_kept("https://a.example/c.zip"))]);
    press(&mut app, KeyCode::Char('y'));
    assert!(matches!(app.mode, Mode::Curl(_)));
    let notice = app.notice.as_ref().unwrap();
    assert!(notice.is_error && notice.text.contains("unzip password not kept"));
}
