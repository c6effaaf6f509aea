//! The filter language: syntax, negation, quoting, fields, errors.

use super::*;
use crate::api::TaskId;
use crate::import::ImportedTask;
use crate::tui::rows::AttemptRecord;
use crate::tui::test_support::answer;

/// A row with a label, a url and, if given, a last outcome and error.
fn row(id: &str, label: &str, last: Option<(OutcomeKind, Option<&str>)>) -> TaskRow {
    let mut row = TaskRow::new(ImportedTask {
        id: TaskId::parse(id).unwrap(),
        label: Some(label.into()),
        url: Some(format!("https://files.example/{id}.zip")),
    });
    if let Some((outcome, error)) = last {
        row.replace_last(AttemptRecord::from_history(&answer(id, 0, outcome, error)));
    }
    row
}

/// The rows every test filters: ids a..f.
fn rows() -> Vec<TaskRow> {
    use OutcomeKind::*;
    vec![
        row("a-1", "Invoice batch", Some((Accepted, None))),
        row(
            "b-2",
            "weekly report",
            Some((Rejected, Some("ERR_FILE_EXT"))),
        ),
        row("c-3", "Invoice march", Some((Rejected, Some("ERR_FILE")))),
        row("d-4", "", Some((FailedOrHung, None))),
        row("e-5", "report", None),
        row("f-6", "auth", Some((AuthFailed, None))),
    ]
}

/// The ids of the rows `filter` passes.
fn shown(filter: &str) -> Vec<String> {
    let query = Query::parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
    rows()
        .iter()
        .filter(|r| query.matches(r))
        .map(|r| r.id.to_string())
        .collect()
}

fn error(filter: &str) -> String {
    Query::parse(filter).unwrap_err().to_string()
}

#[test]
fn an_empty_filter_passes_every_row() {
    assert!(Query::parse("").unwrap().is_empty());
    assert!(Query::parse("   ").unwrap().is_empty());
    assert_eq!(shown("").len(), 6);
}

#[test]
fn a_plain_word_matches_any_text_the_row_shows_ignoring_case() {
    assert_eq!(shown("invoice"), ["a-1", "c-3"], "label");
    assert_eq!(shown("B-2"), ["b-2"], "id");
    assert_eq!(shown("files.example/d-4"), ["d-4"], "url");
    assert_eq!(shown("rejected"), ["b-2", "c-3"], "outcome label");
    assert_eq!(shown("hung"), ["d-4"], "a word of an outcome");
}

#[test]
fn never_sent_and_not_accepted_are_words_the_rows_and_status_bar_show() {
    assert_eq!(shown("\"never sent\""), ["e-5"]);
    assert_eq!(
        shown("\"not accepted\""),
        ["b-2", "c-3", "d-4", "f-6"],
        "every last outcome but accepted; never sent is no outcome"
    );
    assert_eq!(shown("accepted"), ["a-1"], "not the not accepted ones");
}

#[test]
fn terms_separated_by_spaces_must_all_match() {
    assert_eq!(shown("report rejected"), ["b-2"]);
    assert_eq!(shown("  report   rejected  "), ["b-2"]);
    assert!(shown("report accepted").is_empty());
}

#[test]
fn a_bang_negates_a_term() {
    assert_eq!(shown("!accepted"), ["b-2", "c-3", "d-4", "e-5", "f-6"]);
    assert_eq!(shown("invoice !rejected"), ["a-1"]);
    assert_eq!(
        shown("!outcome:\"never sent\" !rejected"),
        ["a-1", "d-4", "f-6"]
    );
    assert_eq!(shown("!label:report"), ["a-1", "c-3", "d-4", "f-6"]);
}

#[test]
fn outcome_names_a_last_outcome_exactly() {
    assert_eq!(shown("outcome:\"failed or hung\""), ["d-4"]);
    assert_eq!(shown("OUTCOME:Rejected"), ["b-2", "c-3"]);
    assert_eq!(shown("outcome:\"auth failed\""), ["f-6"]);
    assert_eq!(shown("outcome:\"never sent\""), ["e-5"]);
    assert_eq!(
        shown("outcome:\"not accepted\""),
        ["b-2", "c-3", "d-4", "f-6"]
    );
    assert!(
        error("outcome:fail").starts_with("outcome:fail is no outcome; use one of accepted,"),
        "{}",
        error("outcome:fail")
    );
}

#[test]
fn label_id_and_url_match_inside_their_field_only() {
    assert_eq!(shown("label:invoice"), ["a-1", "c-3"]);
    assert!(shown("label:a-1").is_empty(), "the id is not the label");
    assert_eq!(shown("id:-2"), ["b-2"]);
    assert!(shown("id:report").is_empty());
    assert_eq!(shown("url:e-5.zip"), ["e-5"]);
    assert_eq!(shown("label:\"weekly report\""), ["b-2"]);
}

#[test]
fn error_is_the_servers_error_whole_so_a_failure_group_is_exact() {
    assert_eq!(shown("outcome:\"rejected\" error:\"ERR_FILE\""), ["c-3"]);
    assert_eq!(shown("error:err_file_ext"), ["b-2"]);
    assert!(shown("error:ERR").is_empty(), "not a part of it");
    assert_eq!(shown("!error:ERR_FILE rejected"), ["b-2"]);
}

#[test]
fn a_quoted_empty_value_is_an_empty_field() {
    assert!(
        shown("outcome:\"rejected\" error:\"\"").is_empty(),
        "both rejections named an error"
    );
    assert_eq!(
        shown("error:\"\""),
        ["a-1", "d-4", "f-6"],
        "answers naming none"
    );
    assert_eq!(shown("label:\"\""), ["d-4"]);
    assert!(shown("url:\"\"").is_empty());
    assert_eq!(
        shown("!label:\"\" !error:\"\" !\"never sent\""),
        ["b-2", "c-3"]
    );
}

#[test]
fn quotes_hold_spaces_and_colons() {
    assert_eq!(shown("\"weekly report\""), ["b-2"]);
    assert_eq!(shown("\"https://files.example/a\""), ["a-1"]);
    assert_eq!(shown("\"Invoice\" batch"), ["a-1"]);
}

#[test]
fn a_backslash_writes_a_quote_or_a_backslash_inside_a_phrase() {
    let odd = row(
        "g-7",
        "say \"hi\" C:\\temp",
        Some((OutcomeKind::Rejected, Some("ERR \"X\" \\ Y"))),
    );
    for (filter, passes) in [
        (r#"error:"err \"x\" \\ y""#, true),
        (r#"error:"err \"x\" \ y""#, true),
        (r#"error:"err x \\ y""#, false),
        (r#"label:"\"hi\"""#, true),
        (r#"label:"c:\temp""#, true),
        (r#""say \"hi""#, true),
    ] {
        let query = Query::parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
        assert_eq!(query.matches(&odd), passes, "{filter}");
    }
    assert_eq!(
        error(r#"label:"ends in \""#),
        "a quote is not closed: add a \" after the phrase",
        "an escaped quote closes nothing"
    );
}

proptest::proptest! {
    /// Whatever the server's error, the filter the failures list writes for
    /// it (through [`quoted`]) finds exactly that error.
    #[test]
    fn a_quoted_error_reads_back_as_itself(error in "\\PC*", other in "\\PC+") {
        let query = Query::parse(&format!("error:{}", quoted(&error))).unwrap();
        let with = |e: &str| row("h-8", "", Some((OutcomeKind::Rejected, Some(e))));
        proptest::prop_assert!(query.matches(&with(&error)));
        let longer = format!("{error}{other}");
        proptest::prop_assert!(!query.matches(&with(&longer)));
    }
}

#[test]
fn a_mistake_is_one_line_naming_what_to_fix() {
    for (filter, said) in [
        (
            "label:\"weekly",
            "a quote is not closed: add a \" after the phrase",
        ),
        ("\"a\"b", "a space must follow a closing quote"),
        (
            "ab\"c",
            "a quote can only open a value: \"two words\" or label:\"two words\"",
        ),
        (
            "! accepted",
            "a ! must stand right before a term, as in !accepted",
        ),
        (
            "accepted !",
            "a ! must stand right before a term, as in !accepted",
        ),
        (
            "label:",
            "label: needs a value, as in label:abc or label:\"two words\"",
        ),
        (
            "id:\"\"",
            "id: needs a value, as in id:abc or id:\"two words\"",
        ),
        (
            "\"\"",
            "\"\" is empty: put the text to find between the quotes",
        ),
        (
            "colour:red",
            "no field colour:; fields are outcome:, label:, id:, url: and error: \
             (quote text with a colon: \"a:b\")",
        ),
    ] {
        assert_eq!(error(filter), said, "{filter}");
        assert!(!said.contains('\n'));
    }
}

#[test]
fn a_mistake_leaves_the_terms_before_it_in_effect() {
    let (query, error) = Query::parse_lenient("invoice !rejected label:\"inv");
    assert_eq!(
        error.unwrap().to_string(),
        "a quote is not closed: add a \" after the phrase"
    );
    assert_eq!(query, Query::parse("invoice !rejected").unwrap());
    let (query, error) = Query::parse_lenient("invoice rejected");
    assert_eq!(
        (query, error),
        (Query::parse("invoice rejected").unwrap(), None)
    );
}

#[test]
fn typing_more_of_a_term_or_another_term_narrows() {
    let q = |t| Query::parse(t).unwrap();
    assert!(q("inv").narrows(&q("")));
    assert!(q("invo").narrows(&q("inv")));
    assert!(q("inv rej").narrows(&q("inv")));
    assert!(q("label:invo").narrows(&q("label:inv")));
    assert!(q("!acc").narrows(&q("!acc")));
    assert!(!q("!acce").narrows(&q("!acc")), "a longer negation widens");
    assert!(!q("inv").narrows(&q("invo")));
    assert!(!q("error:ab").narrows(&q("error:a")), "error is whole");
    assert!(!q("label:inv").narrows(&q("inv")), "another field");
    assert!(
        !q("\"not accepted\"").narrows(&q("acc")),
        "it passes rows without the text"
    );
    assert!(q("\"not accepted x\"").narrows(&q("\"not accepted\"")));
}
