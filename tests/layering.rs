//! The layering rule, read off the source: `main` dispatches to two faces,
//! `cli` and `tui`, which never import each other; every other module is
//! the core, which never imports a face, the terminal code, ratatui or
//! crossterm. `term` is the one module between: terminal code both faces
//! share (the secret prompt), allowed crossterm but no face.
//!
//! Every file under `src/` is read with its comments and string literals
//! blanked out, and every `crate::`, `super::` and `tae_rescan::` path in
//! it (`use` lines, grouped imports and paths inside code alike) is
//! resolved to the top-level module it reaches.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The two faces: each may use the core and `term`, never the other face.
const FACES: [&str; 2] = ["cli", "tui"];

/// Terminal code shared by both faces: neither core nor face.
const TERMINAL: &str = "term";

/// The entry points: `main` dispatches to both faces, `lib` declares
/// every module.
const ENTRY: [&str; 2] = ["main", "lib"];

/// Crates that draw on or read from a terminal.
const TERMINAL_CRATES: [&str; 2] = ["ratatui", "crossterm"];

/// Core modules the rule is about by name: if one is renamed or folded
/// into a face, this list must change with it, on purpose.
const NAMED_CORE: [&str; 14] = [
    "api", "worker", "store", "config", "sim", "import", "export", "text", "fs", "log", "demo",
    "shell", "startup", "edge",
];

/// One file of `src/`: its top-level module and its code without comments
/// or literals.
struct Source {
    /// The path shown in failures, relative to the crate.
    shown: String,
    /// The module path of the file (`tui::view::list`), empty for the root.
    module: Vec<String>,
    /// The code, comments and literals replaced by spaces (lines kept).
    code: String,
}

impl Source {
    fn top(&self) -> &str {
        self.module.first().map(String::as_str).unwrap_or("")
    }
}

/// A top-level module or crate a file reaches, and on which line.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Reach {
    line: usize,
    target: String,
}

#[test]
fn the_core_never_imports_a_face_the_terminal_code_ratatui_or_crossterm() {
    let forbidden: Vec<&str> = FACES
        .iter()
        .copied()
        .chain([TERMINAL])
        .chain(TERMINAL_CRATES)
        .collect();
    let found = breaches(is_core, &forbidden);
    assert!(
        found.is_empty(),
        "core modules reaching a face or the terminal:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_faces_never_import_each_other() {
    let mut found = breaches(|top| top == "tui", &["cli"]);
    found.extend(breaches(|top| top == "cli", &["tui"]));
    assert!(
        found.is_empty(),
        "one face importing the other:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_shared_terminal_code_imports_no_face() {
    let found = breaches(|top| top == TERMINAL, &FACES);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn every_core_module_the_rule_names_exists_and_is_checked() {
    let tops: BTreeSet<String> = sources().iter().map(|s| s.top().to_owned()).collect();
    for name in NAMED_CORE {
        assert!(tops.contains(name), "src/{name} is gone: update NAMED_CORE");
        assert!(is_core(name), "{name} is not checked as core");
    }
    for face in FACES.iter().chain([&TERMINAL]) {
        assert!(tops.contains(*face), "src/{face} is gone: update the rule");
    }
}

#[test]
fn the_reader_follows_paths_and_groups_and_skips_comments_and_strings() {
    let code = clean(
        "use crate::{api::{TaskId, Outcome}, tui::app};\n\
         // crate::cli in a comment\n\
         /* crossterm /* nested */ ratatui */\n\
         let s = \"crate::cli\"; let r = r#\"crossterm\"#; let c = '\"';\n\
         fn f<'a>(x: &'a str) { super::super::cli::run(); }\n\
         let k = ratatui::crossterm::event::KeyCode::Enter;\n",
    );
    let module = vec!["store".to_owned(), "thread".to_owned()];
    let targets: Vec<(usize, String)> = reaches(&module, &code)
        .into_iter()
        .map(|r| (r.line, r.target))
        .collect();
    let expected = [
        (1, "api"),
        (1, "tui"),
        (5, "cli"),
        (6, "crossterm"),
        (6, "ratatui"),
    ];
    assert_eq!(
        targets,
        expected.map(|(l, t)| (l, t.to_owned())).to_vec(),
        "{code}"
    );
}

fn is_core(top: &str) -> bool {
    !FACES.contains(&top) && top != TERMINAL && !ENTRY.contains(&top)
}

/// `file:line: reaches X` for every file whose top-level module satisfies
/// `from` and that reaches one of `forbidden`.
fn breaches(from: impl Fn(&str) -> bool, forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for source in sources().iter().filter(|s| from(s.top())) {
        for reach in reaches(&source.module, &source.code) {
            if forbidden.contains(&reach.target.as_str()) {
                found.push(format!(
                    "{}:{}: reaches {}",
                    source.shown, reach.line, reach.target
                ));
            }
        }
    }
    found
}

/// Every `.rs` file under `src/`, read once for all the tests.
fn sources() -> &'static [Source] {
    static SOURCES: OnceLock<Vec<Source>> = OnceLock::new();
    SOURCES.get_or_init(read_sources)
}

fn read_sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let mut files = Vec::new();
    collect(&src, &mut files);
    assert!(files.len() > 20, "found only {} files in src/", files.len());
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(&src).unwrap();
            let mut module: Vec<String> = relative
                .with_extension("")
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect();
            if module.last().is_some_and(|m| m == "mod") {
                module.pop();
            }
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            Source {
                shown: path.strip_prefix(root).unwrap().display().to_string(),
                module,
                code: clean(&text),
            }
        })
        .collect()
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The top-level modules (through `crate::`, `super::` climbing to the
/// root, or `tae_rescan::`) and the terminal crates `code` names, sorted.
fn reaches(module: &[String], code: &str) -> Vec<Reach> {
    let tokens = tokens(code);
    let mut found = BTreeSet::new();
    for (i, (line, token)) in tokens.iter().enumerate() {
        let word = token.as_str();
        if TERMINAL_CRATES.contains(&word) {
            found.insert(Reach {
                line: *line,
                target: word.to_owned(),
            });
            continue;
        }
        // A path that starts at the crate root, or climbs to it.
        let after_root = match word {
            "crate" | "tae_rescan" if is_path_start(&tokens, i) => Some(i + 1),
            "super" if is_path_start(&tokens, i) => climb(module.len(), &tokens, i),
            _ => None,
        };
        let Some(at) = after_root else { continue };
        if tokens.get(at).is_none_or(|(_, t)| t != "::") {
            continue;
        }
        for target in first_segments(&tokens, at + 1) {
            found.insert(Reach {
                line: *line,
                target,
            });
        }
    }
    found.into_iter().collect()
}

/// True unless the word is itself inside a longer path (`x::crate` never
/// happens, but `self::super` would).
fn is_path_start(tokens: &[(usize, String)], i: usize) -> bool {
    i == 0 || tokens[i - 1].1 != "::"
}

/// Where a `super::super::...` chain starting at `i` leaves the crate
/// root, if it climbs that far from a file `depth` modules deep.
fn climb(depth: usize, tokens: &[(usize, String)], i: usize) -> Option<usize> {
    let mut at = i;
    let mut level = depth;
    while tokens.get(at).is_some_and(|(_, t)| t == "super") {
        level = level.checked_sub(1)?;
        if level == 0 {
            return Some(at + 1);
        }
        if tokens.get(at + 1).is_none_or(|(_, t)| t != "::") {
            return None;
        }
        at += 2;
    }
    None
}

/// The module names right after a root `::`: one name, or each first name
/// of a `{...}` group.
fn first_segments(tokens: &[(usize, String)], at: usize) -> Vec<String> {
    let Some((_, first)) = tokens.get(at) else {
        return Vec::new();
    };
    if first != "{" {
        return is_ident(first).then(|| first.clone()).into_iter().collect();
    }
    let mut names = Vec::new();
    let mut depth = 0;
    let mut expect_name = true;
    for (_, token) in &tokens[at..] {
        match token.as_str() {
            "{" => {
                depth += 1;
                expect_name = depth == 1;
            }
            "}" => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            "," if depth == 1 => expect_name = true,
            t if expect_name && depth == 1 && is_ident(t) => {
                names.push(t.to_owned());
                expect_name = false;
            }
            _ => expect_name = false,
        }
    }
    names
}

fn is_ident(token: &str) -> bool {
    token
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Words, `::`, braces and commas with their line numbers; other
/// punctuation is dropped.
fn tokens(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_alphanumeric() || c == '_' {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push((n + 1, chars[start..i].iter().collect()));
                continue;
            }
            if c == ':' && chars.get(i + 1) == Some(&':') {
                out.push((n + 1, "::".to_owned()));
                i += 2;
                continue;
            }
            if matches!(c, '{' | '}' | ',') {
                out.push((n + 1, c.to_string()));
            } else if !c.is_whitespace() {
                out.push((n + 1, "·".to_owned()));
            }
            i += 1;
        }
    }
    out
}

/// `text` with comments, strings and character literals replaced by
/// spaces, line breaks kept so line numbers stay true.
fn clean(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let word_before = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if !word_before && raw_string_start(&chars, i).is_some() {
            let (hashes, quote) = raw_string_start(&chars, i).unwrap();
            for _ in i..=quote {
                out.push(' ');
            }
            i = quote + 1;
            while i < chars.len() {
                let closes =
                    chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#'));
                if closes {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += hashes + 1;
                    break;
                }
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
                if i < chars.len() {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && next == Some('\\') {
            // An escaped character literal: '\n', '\'', '\u{1F600}'.
            out.push_str("  ");
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                out.push(' ');
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            out.push_str("   ");
            i += 3;
        } else {
            // Code, lifetimes included.
            out.push(c);
            i += 1;
            continue;
        }
        continue;
    }
    out
}

/// `r"`, `r#"`, `br##"`...: the number of `#` and where the quote is.
fn raw_string_start(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let mut at = i;
    if chars.get(at) == Some(&'b') {
        at += 1;
    }
    if chars.get(at) != Some(&'r') {
        return None;
    }
    at += 1;
    let mut hashes = 0;
    while chars.get(at) == Some(&'#') {
        hashes += 1;
        at += 1;
    }
    (chars.get(at) == Some(&'"')).then_some((hashes, at))
}

/// README's Layout section lists the real modules: every top-level module
/// of `src/` and every part of the two faces is named there (a folder's
/// line covers what is in it), and every `src/` path it names exists.
#[test]
fn the_readme_layout_lists_the_real_modules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let section = readme
        .split("\n## Layout\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```\n").nth(1))
        .expect("a Layout section with a code block");
    let listed: BTreeSet<&str> = section
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|word| word.starts_with("src/"))
        .collect();
    for path in &listed {
        assert!(
            root.join(path).exists(),
            "README Layout names {path}, which does not exist"
        );
    }
    // Listed itself, or inside a listed folder other than the one being
    // read (the faces' own folder lines do not stand for their parts).
    let covered = |dir: &str, path: &str| {
        listed.iter().any(|l| {
            *l == path
                || (l.ends_with('/')
                    && path.starts_with(l)
                    && path.len() > l.len()
                    && l.trim_end_matches('/') != dir)
        })
    };
    let mut missing = Vec::new();
    for dir in ["src", "src/tui", "src/cli"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("src folder") {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_dir = entry.file_type().unwrap().is_dir();
            // Unit-test files belong to the module beside them.
            if name == "mod.rs" || name.ends_with("tests.rs") {
                continue;
            }
            let path = format!("{dir}/{name}{}", if is_dir { "/" } else { "" });
            if !covered(dir, &path) {
                missing.push(path);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "README Layout does not list: {missing:?}"
    );
}
