use std::collections::BTreeSet;
use std::path::PathBuf;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::config::{KeyBinding, KeyBindings, Keystroke};

fn press(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// `[keys]` as the config module hands it over, from `config.toml`.
fn bindings(lines: &[(&str, &[&str], usize)]) -> KeyBindings {
    KeyBindings {
        file: Some(PathBuf::from("/home/a/.config/tae-rescan/config.toml")),
        bindings: lines
            .iter()
            .map(|(action, keys, line)| KeyBinding {
                action: (*action).to_owned(),
                keys: keys.iter().map(|k| Keystroke::parse(k).unwrap()).collect(),
                line: *line,
            })
            .collect(),
    }
}

#[test]
fn names_are_stable_snake_case_and_read_back() {
    let mut seen = BTreeSet::new();
    for (i, action) in Action::ALL.into_iter().enumerate() {
        assert_eq!(action as usize, i, "{action:?} out of order in ALL");
        let name = action.name();
        assert!(
            name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{name}"
        );
        assert!(seen.insert(name), "{name} twice");
        assert_eq!(Action::from_name(name), Some(action));
    }
}

#[test]
fn the_defaults_pass_the_checks_and_every_action_works_somewhere() {
    assert_eq!(KeyMap::with(&KeyBindings::default()), Ok(KeyMap::default()));
    for action in Action::ALL {
        assert!(
            ROWS.iter().any(|r| r.action == action),
            "{action:?} is on no screen"
        );
        assert!(!action.default_keys().is_empty(), "{action:?} has no key");
    }
    for mode in KeyMode::ALL {
        let actions: Vec<Action> = ROWS
            .iter()
            .filter(|r| r.mode == mode)
            .map(|r| r.action)
            .collect();
        let unique: BTreeSet<Action> = actions.iter().copied().collect();
        assert_eq!(unique.len(), actions.len(), "an action twice in {mode:?}");
    }
}

#[test]
fn dispatch_reads_the_keys_of_each_screen() {
    let map = KeyMap::default();
    let cases = [
        (
            KeyMode::Tasks,
            press(KeyCode::Char('r')),
            Some(Action::Rescan),
        ),
        (
            KeyMode::Tasks,
            press(KeyCode::Char('R')),
            Some(Action::Resend),
        ),
        (KeyMode::Tasks, press(KeyCode::Enter), Some(Action::Edit)),
        (
            KeyMode::Tasks,
            press(KeyCode::BackTab),
            Some(Action::SwitchTab),
        ),
        (KeyMode::Tasks, press(KeyCode::Char('w')), None),
        (KeyMode::Tasks, ctrl('c'), Some(Action::Interrupt)),
        (KeyMode::Tasks, ctrl('r'), None),
        (
            KeyMode::Monitor,
            press(KeyCode::Char('w')),
            Some(Action::Window),
        ),
        (KeyMode::Monitor, press(KeyCode::Char('r')), None),
        (KeyMode::Filter, press(KeyCode::Char('q')), None),
        (
            KeyMode::Filter,
            press(KeyCode::Enter),
            Some(Action::KeepFilter),
        ),
        (KeyMode::Filter, ctrl('c'), Some(Action::Interrupt)),
        (
            KeyMode::Form,
            press(KeyCode::Char(' ')),
            Some(Action::NextChoice),
        ),
        (KeyMode::Form, press(KeyCode::Down), Some(Action::NextField)),
        (
            KeyMode::Confirm,
            press(KeyCode::Char('Y')),
            Some(Action::Yes),
        ),
        (KeyMode::Confirm, press(KeyCode::Esc), Some(Action::No)),
        (
            KeyMode::Prompt(PromptKind::ExportPath),
            press(KeyCode::Enter),
            Some(Action::Submit),
        ),
        (
            KeyMode::Popup,
            press(KeyCode::Char('?')),
            Some(Action::Close),
        ),
        (KeyMode::FirstRun, press(KeyCode::Esc), Some(Action::Leave)),
        (KeyMode::StartingDemo, press(KeyCode::Char('d')), None),
    ];
    for (mode, key, want) in cases {
        assert_eq!(map.action(mode, &key), want, "{mode:?} {key:?}");
    }
}

#[test]
fn a_remapped_action_takes_its_new_keys_on_every_screen_and_drops_the_old() {
    let map = KeyMap::with(&bindings(&[
        ("rescan", &["F5"], 3),
        ("quit", &["ctrl-q", "Q"], 4),
        ("mark_all", &[], 5),
    ]))
    .unwrap();
    let f5 = press(KeyCode::F(5));
    assert_eq!(map.action(KeyMode::Tasks, &f5), Some(Action::Rescan));
    assert_eq!(map.action(KeyMode::Tasks, &press(KeyCode::Char('r'))), None);
    for mode in [KeyMode::Tasks, KeyMode::Monitor, KeyMode::FirstRun] {
        assert_eq!(map.action(mode, &ctrl('q')), Some(Action::Quit), "{mode:?}");
        assert_eq!(
            map.action(mode, &press(KeyCode::Char('q'))),
            None,
            "{mode:?}"
        );
    }
    assert_eq!(map.action(KeyMode::Tasks, &press(KeyCode::Char('*'))), None);
    let hints = map.hints(KeyMode::Tasks, false);
    assert!(hints.contains(&("F5".into(), "rescan")), "{hints:?}");
    assert!(hints.contains(&("Ctrl-Q".into(), "quit")), "{hints:?}");
    let help = map.help(KeyMode::Tasks);
    assert!(help.contains(&HelpLine::Key {
        keys: "Ctrl-Q Q".into(),
        action: "quit",
        what: "quit (asks while requests are in flight)",
    }));
}

#[test]
fn an_unknown_action_is_an_error_naming_it_its_file_and_line() {
    let e = KeyMap::with(&bindings(&[("rescn", &["F5"], 7)])).unwrap_err();
    assert_eq!(
        e.0,
        "[keys] rescn in /home/a/.config/tae-rescan/config.toml line 7: no such action; did \
         you mean rescan? the help (?) and the README's key table name every action"
    );
    let e = KeyMap::with(&bindings(&[("frobnicate", &["F5"], 2)])).unwrap_err();
    assert!(
        e.0.ends_with(
            "line 2: no such action; the help (?) and the README's key table name every action"
        ),
        "{e}"
    );
}

#[test]
fn a_key_bound_twice_on_one_screen_is_an_error_naming_the_key() {
    let e = KeyMap::with(&bindings(&[("curl", &["x"], 9)])).unwrap_err();
    assert_eq!(
        e.0,
        "[keys] curl in /home/a/.config/tae-rescan/config.toml line 9: x is bound twice in \
         the task list: to curl and to export"
    );
    // Moving the other one too makes it fine.
    KeyMap::with(&bindings(&[("curl", &["x"], 9), ("export", &["X"], 10)])).unwrap();
    // Two remapped actions on one key: the later line is named.
    let e = KeyMap::with(&bindings(&[("save", &["F2"], 2), ("discard", &["F2"], 3)])).unwrap_err();
    assert!(e.0.starts_with("[keys] discard in "), "{e}");
    assert!(e.0.ends_with("line 3: F2 is bound twice in the edit form: to save and to discard"));
    // A key for every screen clashes with each screen's own.
    let e = KeyMap::with(&bindings(&[("interrupt", &["y"], 4)])).unwrap_err();
    assert!(e.0.contains("y is bound twice in the task list"), "{e}");
}

#[test]
fn a_plain_character_cannot_take_a_key_from_a_text_field() {
    let e = KeyMap::with(&bindings(&[("keep_filter", &["k"], 5)])).unwrap_err();
    assert_eq!(
        e.0,
        "[keys] keep_filter in /home/a/.config/tae-rescan/config.toml line 5: k would be \
         typed into the filter instead; give keep_filter a named key (enter, F5...) or one \
         with ctrl- or alt-"
    );
    // The form's choice keys only act on a choice: on text they type.
    KeyMap::with(&bindings(&[("next_choice", &["+"], 5)])).unwrap();
    KeyMap::with(&bindings(&[("keep_filter", &["ctrl-k", "F3"], 5)])).unwrap();
}

#[test]
fn each_prompt_hints_what_its_enter_does() {
    let map = KeyMap::default();
    let hint = |kind| map.hints(KeyMode::Prompt(kind), false);
    assert_eq!(
        hint(PromptKind::ExportPath),
        [
            (
                "type".into(),
                "path of a new file: .csv is CSV, else JSON lines"
            ),
            ("Enter".into(), "export"),
            ("Esc".into(), "cancel"),
        ]
    );
    assert_eq!(hint(PromptKind::ImportPath)[1], ("Enter".into(), "import"));
    assert_eq!(hint(PromptKind::AddIds)[1], ("Enter".into(), "add"));
}

#[test]
fn hints_share_words_and_an_empty_list_shows_what_starts() {
    let map = KeyMap::default();
    let form = map.hints(KeyMode::Form, false);
    assert_eq!(form[0], ("Tab/Shift-Tab".into(), "move"));
    assert_eq!(form[1], ("←/→".into(), "change choice"));
    let confirm = map.hints(KeyMode::Confirm, false);
    assert_eq!(confirm[1], ("n/Esc".into(), "no"));
    let monitor = map.hints(KeyMode::Monitor, false);
    assert!(monitor.contains(&("j/k".into(), "move")), "{monitor:?}");
    let empty: Vec<&str> = map
        .hints(KeyMode::Tasks, true)
        .into_iter()
        .map(|(_, what)| what)
        .collect();
    assert_eq!(empty, ["add ids", "import", "help", "quit"]);
}

/// A narrow hint line leaves out entries without a priority first, the
/// rightmost first, keeping order; what must stay stays at any width.
#[test]
fn a_narrow_hint_line_keeps_help_and_quit() {
    let map = KeyMap::default();
    let words = |width| -> Vec<&str> {
        map.hints_within(KeyMode::Tasks, false, width)
            .into_iter()
            .map(|(_, what)| what)
            .collect()
    };
    assert_eq!(
        words(200),
        map.hints(KeyMode::Tasks, false)
            .iter()
            .map(|h| h.1)
            .collect::<Vec<_>>()
    );
    // ` ? help ` and ` q quit ` take 16 columns; ` a add ids ` 11 more.
    assert_eq!(words(27), ["add ids", "help", "quit"]);
    assert_eq!(words(26), ["help", "quit"]);
    assert_eq!(words(3), ["help", "quit"]);
    let all = map.hints(KeyMode::Tasks, false);
    for width in 0..200 {
        let kept = map.hints_within(KeyMode::Tasks, false, width);
        let shown: usize = kept.iter().map(|(k, w)| hint_width(k, w)).sum();
        assert!(shown <= width.max(16), "{width}: {kept:?}");
        // The kept ones are the line's first ones of their kind, in order.
        let mut rest = all.iter();
        assert!(
            kept.iter().all(|k| rest.any(|a| a == k)),
            "{width}: {kept:?}"
        );
    }
    // Every prompt keeps its Enter and Esc.
    let export = map.hints_within(KeyMode::Prompt(PromptKind::ExportPath), false, 40);
    assert_eq!(
        export,
        [("Enter".into(), "export"), ("Esc".into(), "cancel")]
    );
}

/// The README's key table and the map say the same: each action once, with
/// the same keys on the same screens, none missing.
#[test]
fn the_readme_key_table_is_the_key_map() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let mut lines = readme
        .lines()
        .skip_while(|l| !l.starts_with("| keys | action | where |"))
        .skip(2);
    let mut listed = BTreeSet::new();
    for line in lines.by_ref().take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let [_, keys, action, screens, _what, _] = cells[..] else {
            panic!("README key table: not 4 columns: {line}");
        };
        let name = action.trim_matches('`');
        let action =
            Action::from_name(name).unwrap_or_else(|| panic!("README key table: no action {name}"));
        assert!(listed.insert(action), "README key table: {name} twice");
        let keys: BTreeSet<String> = keys
            .split('`')
            .skip(1)
            .step_by(2)
            .map(|k| {
                Keystroke::parse(k)
                    .unwrap_or_else(|e| panic!("README key table, {name}: {e}"))
                    .to_string()
            })
            .collect();
        let want: BTreeSet<String> = action
            .default_keys()
            .iter()
            .map(|k| k.to_string())
            .collect();
        assert_eq!(keys, want, "README key table: keys of {name}");
        let screens: BTreeSet<&str> = screens.split(", ").collect();
        let want: BTreeSet<&str> = ROWS
            .iter()
            .filter(|r| r.action == action)
            .map(|r| r.mode.readme_name())
            .collect();
        assert_eq!(screens, want, "README key table: where {name} works");
    }
    let missing: Vec<&str> = Action::ALL
        .into_iter()
        .filter(|a| !listed.contains(a))
        .map(Action::name)
        .collect();
    assert!(missing.is_empty(), "README key table lacks {missing:?}");
}

/// The dashboard dispatches by the map it holds: a remapped key works, the
/// default it replaced does nothing, and the hint line shows the new key.
#[test]
fn update_dispatches_by_the_apps_key_map() {
    use super::super::message::{Command, Message};
    use super::super::test_support::app_at;
    use super::super::update::update;

    let mut app = app_at((120, 30), &["t-1"]);
    app.keys = KeyMap::with(&bindings(&[("rescan", &["F5"], 2), ("help", &["F1"], 3)])).unwrap();
    let submits = |commands: &[Command]| {
        commands
            .iter()
            .filter(|c| matches!(c, Command::Submit(_)))
            .count()
    };
    let commands = update(&mut app, Message::Key(press(KeyCode::Char('r'))));
    assert_eq!(submits(&commands), 0, "{commands:?}");
    let commands = update(&mut app, Message::Key(press(KeyCode::F(5))));
    assert_eq!(submits(&commands), 1, "{commands:?}");
    update(&mut app, Message::Key(press(KeyCode::Char('?'))));
    assert!(matches!(app.mode, Mode::Normal));
    update(&mut app, Message::Key(press(KeyCode::F(1))));
    assert!(matches!(app.mode, Mode::Help(_)));
}

/// The crash notice's key is the map's: remapped, the new key shows the
/// interrupted tasks and the notice names it; Enter edits as on any list;
/// the help lists the action.
#[test]
fn the_notice_key_is_the_maps() {
    use super::super::message::Message;
    use super::super::test_support::app_at;
    use super::super::update::update;

    let mut app = app_at((120, 30), &["t-1"]);
    app.keys = KeyMap::with(&bindings(&[("notice", &["F2"], 2)])).unwrap();
    update(&mut app, Message::InterruptedAtStart(2));
    let text = app.notice.as_ref().map(|n| n.text.clone()).unwrap();
    assert!(text.ends_with("· F2 shows them"), "{text}");
    update(&mut app, Message::Key(press(KeyCode::Enter)));
    assert!(matches!(app.mode, Mode::Form(_)), "Enter edits");
    update(&mut app, Message::Key(press(KeyCode::Esc)));
    update(&mut app, Message::InterruptedAtStart(2));
    update(&mut app, Message::Key(press(KeyCode::F(2))));
    assert_eq!(app.tasks.filter().value(), "interrupted");
    assert!(app.notice.is_none());
    let help = app.keys.help(KeyMode::Tasks);
    assert!(
        help.iter()
            .any(|l| matches!(l, HelpLine::Key { keys, action: "notice", .. } if keys == "F2")),
        "{help:?}"
    );
}

/// The example config's `[keys]` lines, uncommented, are a valid remap.
#[test]
fn the_example_configs_keys_are_valid() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let (before, keys) = text.split_once("\n[keys]\n").expect("a [keys] section");
    let examples: Vec<&str> = keys
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .filter(|l| {
            l.split_once(" = ")
                .is_some_and(|(name, _)| name.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        })
        .collect();
    assert!(!examples.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        format!("{before}\n[keys]\n{}\n", examples.join("\n")),
    )
    .unwrap();
    let flags = crate::config::Overrides {
        config: Some(file),
        ..Default::default()
    };
    let config = crate::config::Config::load_with(&flags, &|_| None).unwrap();
    assert_eq!(config.keys.bindings.len(), examples.len());
    let map = KeyMap::with(&config.keys).unwrap();
    assert_eq!(
        map.action(KeyMode::Tasks, &press(KeyCode::F(5))),
        Some(Action::Rescan)
    );
}
