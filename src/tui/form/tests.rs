//! The form's keys, validation, and (mixed) fields over several tasks.

use super::*;
use crate::tui::edit_tests::zip;

use crate::tui::keymap::{KeyMap, KeyMode};

/// A key as the dashboard hands it over: with its meaning in the default
/// key map.
trait Press {
    fn press(&mut self, code: KeyCode) -> FormAction;
}

impl Press for Form {
    fn press(&mut self, code: KeyCode) -> FormAction {
        let key = KeyEvent::new(code, KeyModifiers::NONE);
        let action = KeyMap::default().action(KeyMode::Form, &key);
        self.handle_key(action, key)
    }
}

fn saved(params: &RescanParams) -> Saved<'_> {
    Saved {
        params,
        unzip_password_not_kept: false,
    }
}

fn form() -> Form {
    Form::new(
        vec![TaskId::parse("t1").unwrap()],
        &[saved(&RescanParams::default())],
    )
}

fn type_text(f: &mut Form, text: &str) {
    for c in text.chars() {
        f.press(KeyCode::Char(c));
    }
}

fn two(a: &RescanParams, b: &RescanParams) -> Form {
    let ids = vec![TaskId::parse("t1").unwrap(), TaskId::parse("t2").unwrap()];
    Form::new(ids, &[saved(a), saved(b)])
}

#[test]
fn starts_on_url_and_tab_skips_the_disabled_password() {
    let mut f = form();
    assert_eq!(f.focus, Field::Url);
    f.press(KeyCode::Tab);
    f.press(KeyCode::Tab);
    assert_eq!(f.focus, Field::ProcessingType);
    f.press(KeyCode::Tab);
    assert_eq!(
        f.focus,
        Field::ResetSimilarityThresholds,
        "password disabled without unzip-and-exec"
    );
    f.press(KeyCode::BackTab);
    f.press(KeyCode::Char(' '));
    f.press(KeyCode::Char(' '));
    assert_eq!(f.processing_type, Some(ProcessingType::UnzipAndExec));
    f.press(KeyCode::Tab);
    assert_eq!(f.focus, Field::UnzipPassword);
}

#[test]
fn validation_as_you_type_blocks_save() {
    let mut f = form();
    f.focus = Field::FileExt;
    type_text(&mut f, ".exe");
    assert!(f.error(Field::FileExt).unwrap().contains("without the dot"));
    assert!(matches!(f.press(KeyCode::Enter), FormAction::Editing));
    f.focus = Field::Url;
    f.press(KeyCode::Enter);
    assert_eq!(f.focus, Field::FileExt, "Enter jumps to the first error");
    f.press(KeyCode::Home);
    f.press(KeyCode::Delete);
    match f.press(KeyCode::Enter) {
        FormAction::Save(edit) => {
            let (p, _) = edit.apply(saved(&RescanParams::default())).unwrap();
            assert_eq!(p.file_ext.as_deref(), Some("exe"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn choices_cycle_through_leave_as_is() {
    let mut f = form();
    f.focus = Field::Unpack;
    f.press(KeyCode::Right);
    assert_eq!(f.unpack, Some(true));
    f.press(KeyCode::Right);
    assert_eq!(f.unpack, Some(false));
    f.press(KeyCode::Right);
    assert_eq!(f.unpack, None);
    f.press(KeyCode::Left);
    assert_eq!(f.unpack, Some(false));
}

#[test]
fn password_is_dropped_without_unzip_and_exec() {
    let mut f = form();
    f.processing_type = Some(ProcessingType::UnzipAndExec);
    f.focus = Field::UnzipPassword;
    type_text(&mut f, "infected");
    assert!(f.params().unzip_password.is_some());
    f.processing_type = Some(ProcessingType::ExecOnly);
    assert!(f.params().unzip_password.is_none());
    assert!(f.params().validate().is_ok());
    let (p, _) = f
        .edit()
        .apply(saved(&zip("https://a.example/1", "x")))
        .unwrap();
    assert!(
        p.unzip_password.is_none(),
        "exec-only drops a saved one too"
    );
    assert!(p.validate().is_ok());
}

#[test]
fn esc_discards() {
    assert!(matches!(form().press(KeyCode::Esc), FormAction::Discard));
}

#[test]
fn differing_values_open_mixed_and_shared_ones_open_set() {
    let f = two(
        &zip("https://a.example/1", "one"),
        &zip("https://a.example/2", "two"),
    );
    assert!(f.is_mixed(Field::Url) && f.is_mixed(Field::UnzipPassword));
    assert_eq!((f.url.value(), f.unzip_password.value()), ("", ""));
    assert!(!f.is_mixed(Field::FileExt));
    assert_eq!(f.file_ext.value(), "zip");
    assert_eq!(f.processing_type, Some(ProcessingType::UnzipAndExec));
    assert!(f.edit().is_empty(), "nothing changed yet");
}

#[test]
fn moving_the_cursor_in_a_mixed_field_changes_nothing() {
    let mut f = two(
        &zip("https://a.example/1", "one"),
        &zip("https://a.example/2", "two"),
    );
    for code in [KeyCode::Left, KeyCode::Home, KeyCode::End] {
        f.press(code);
    }
    assert!(f.is_mixed(Field::Url) && f.edit().is_empty());
    f.press(KeyCode::Backspace);
    assert!(!f.is_mixed(Field::Url), "Backspace: leave as is for all");
    let edit = f.edit();
    let (p, _) = edit
        .apply(saved(&zip("https://a.example/1", "one")))
        .unwrap();
    assert_eq!(p.url, None);
    assert_eq!(edit.summary(), "not sent: url");
}

#[test]
fn a_mixed_choice_cycles_back_to_mixed() {
    let a = RescanParams {
        unpack: Some(true),
        ..Default::default()
    };
    let mut f = two(&a, &RescanParams::default());
    f.focus = Field::Unpack;
    assert!(f.is_mixed(Field::Unpack));
    f.press(KeyCode::Right);
    assert!(!f.is_mixed(Field::Unpack));
    assert_eq!(f.unpack, None, "leave as is comes first");
    f.press(KeyCode::Left);
    assert!(f.is_mixed(Field::Unpack) && f.edit().is_empty());
}

#[test]
fn a_password_not_kept_is_its_own_value() {
    let p = RescanParams {
        processing_type: Some(ProcessingType::UnzipAndExec),
        ..Default::default()
    };
    let lost = Saved {
        params: &p,
        unzip_password_not_kept: true,
    };
    let ids = vec![TaskId::parse("t1").unwrap(), TaskId::parse("t2").unwrap()];
    let f = Form::new(ids.clone(), &[lost, saved(&p)]);
    assert!(f.is_mixed(Field::UnzipPassword));
    let mut f = Form::new(ids, &[lost, lost]);
    assert!(f.unzip_password_not_kept && !f.is_mixed(Field::UnzipPassword));
    assert!(f.edit().apply(lost).is_none(), "untouched: still not kept");
    f.focus = Field::UnzipPassword;
    type_text(&mut f, "again");
    let (p, not_kept) = f.edit().apply(lost).unwrap();
    assert_eq!(secret(&p.unzip_password), Some("again"));
    assert!(!not_kept);
}
