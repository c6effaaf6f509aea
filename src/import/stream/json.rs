//! The JSON forms of an import: an array of ids or task objects, and the
//! JSON lines that `tasks list --output json` and `history --output json`
//! print.

use std::io::{BufRead, BufReader, Read};

use serde::Deserialize;
use serde::de::{DeserializeSeed, Error as _, SeqAccess, Visitor};

use super::super::checked::{not_utf8, read_error_text};
use super::{Entry, Stopped, entry_of, read_error};

/// One JSON value of an import: an id, a task object (ours or another
/// tool's, extra fields ignored), or anything else, which is rejected.
#[derive(Deserialize)]
#[serde(untagged)]
enum JsonEntry {
    Id(String),
    Task {
        #[serde(alias = "id")]
        task_id: String,
        #[serde(default)]
        label: Option<String>,
        #[serde(default)]
        url: Option<String>,
        /// The masked query string of `tasks list` and `history` output,
        /// where a history record keeps its URL.
        #[serde(default)]
        params: Option<String>,
    },
    Other(serde::de::IgnoredAny),
}

impl JsonEntry {
    /// The entry for one JSON value; `where_` names it in a rejection.
    fn entry(self, where_: impl FnOnce() -> String) -> Option<Entry> {
        match self {
            JsonEntry::Id(id) => entry_of(where_, &id, None, None),
            JsonEntry::Task {
                task_id,
                label,
                url,
                params,
            } => {
                let url = url
                    .as_deref()
                    .or_else(|| params.as_deref().and_then(url_in_params));
                entry_of(where_, &task_id, label.as_deref(), url)
            }
            JsonEntry::Other(_) => Some(Entry::Invalid(format!(
                "{}: expected an id string or an object with task_id",
                where_()
            ))),
        }
    }
}

/// The `url` of a masked query string (`url=https://x/a.zip&file_ext=zip`):
/// values are not escaped there, so the URL ends where the next parameter
/// the program sends begins.
fn url_in_params(params: &str) -> Option<&str> {
    let rest = params.strip_prefix("url=")?;
    let end = AFTER_URL
        .iter()
        .filter_map(|after| rest.find(after.as_str()))
        .min()
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// `&name=` for every parameter the query string can hold, taken from
/// the parameters themselves so that a new one cannot be missed.
static AFTER_URL: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
    use crate::api::params::{ProcessingType, RescanParams, Reveal};
    let every = RescanParams {
        url: Some(String::new()),
        file_ext: Some(String::new()),
        processing_type: Some(ProcessingType::ExecOnly),
        unzip_password: Some(String::new().into()),
        reset_similarity_thresholds: Some(false),
        unpack: Some(false),
    };
    every
        .query_pairs(Reveal::Masked)
        .into_iter()
        .map(|(name, _)| format!("&{name}="))
        .collect()
});

/// JSON lines, as `tasks list --output json` and `history --output json`
/// print them: one object per line with `task_id`, and `label` and `url`
/// (or the URL in `params`) when present; blank lines are skipped, and a
/// line that is not such an object is rejected on its own. An input that
/// is one JSON object other than a task (`{"tasks": [...]}`, on one line
/// or several) is refused as a whole, saying that it is an object.
pub(super) fn lines<E>(
    mut input: impl BufRead,
    source: &str,
    each: &mut impl FnMut(Entry) -> Result<(), E>,
) -> Result<(), Stopped<E>> {
    let mut line = Vec::new();
    let mut number = 0usize;
    // The first line's rejection, held until a second line shows that
    // the input is JSON lines rather than one object.
    let mut held: Option<Entry> = None;
    let mut first = true;
    loop {
        line.clear();
        if input
            .read_until(b'\n', &mut line)
            .map_err(|e| read_error(source, &e))?
            == 0
        {
            return match held {
                Some(_) => Err(one_object(source)),
                None => Ok(()),
            };
        }
        number += 1;
        let text = std::str::from_utf8(&line).map_err(|_| Stopped::Read(not_utf8(source)))?;
        if text.trim().is_empty() {
            continue;
        }
        let where_ = || format!("{source} line {number}");
        let parsed = serde_json::from_str::<JsonEntry>(text);
        let was_first = std::mem::take(&mut first);
        let entry = match parsed {
            Ok(entry @ JsonEntry::Task { .. }) => entry.entry(where_),
            Err(_) if was_first => return Err(whole_document(&line, input, source)),
            not_a_task => {
                let rejected =
                    Entry::Invalid(format!("{}: not a JSON object with task_id", where_()));
                if was_first && not_a_task.is_ok() {
                    held = Some(rejected);
                    continue;
                }
                Some(rejected)
            }
        };
        for entry in held.take().into_iter().chain(entry) {
            each(entry).map_err(Stopped::Receiver)?;
        }
    }
}

/// Why an input that is one JSON object is refused.
fn one_object<E>(source: &str) -> Stopped<E> {
    Stopped::Format(format!(
        "{source}: a JSON object, expected an array of task ids or task objects"
    ))
}

/// An input whose first line starting with `{` is no JSON value of its
/// own is one document spread over lines: one object (refused as such),
/// or not JSON at all.
fn whole_document<E>(first: &[u8], rest: impl Read, source: &str) -> Stopped<E> {
    let mut de = serde_json::Deserializer::from_reader(first.chain(rest));
    match serde::de::IgnoredAny::deserialize(&mut de).and_then(|_| de.end()) {
        Ok(()) => one_object(source),
        Err(e) if e.is_io() => Stopped::Read(read_error_text(source, &e.into())),
        Err(e) => Stopped::Format(format!("{source}: not valid JSON ({e})")),
    }
}

/// A JSON array of id strings or task objects, element by element.
pub(super) fn array<E>(
    input: impl Read,
    source: &str,
    each: &mut impl FnMut(Entry) -> Result<(), E>,
) -> Result<(), Stopped<E>> {
    let mut de = serde_json::Deserializer::from_reader(BufReader::new(input));
    let mut stopped = None;
    let items = Items {
        source,
        each,
        stopped: &mut stopped,
    };
    let result = items.deserialize(&mut de).and_then(|()| de.end());
    match (stopped, result) {
        (Some(stop), _) => Err(stop),
        (None, Ok(())) => Ok(()),
        // serde_json hands back the reader's own error.
        (None, Err(e)) if e.is_io() => Err(Stopped::Read(read_error_text(source, &e.into()))),
        (None, Err(e)) => Err(Stopped::Format(format!(
            "{source}: not a JSON array of ids or tasks ({e})"
        ))),
    }
}

/// The JSON array, element by element.
struct Items<'a, F, E> {
    source: &'a str,
    each: &'a mut F,
    stopped: &'a mut Option<Stopped<E>>,
}

impl<'de, F, E> DeserializeSeed<'de> for Items<'_, F, E>
where
    F: FnMut(Entry) -> Result<(), E>,
{
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F, E> Visitor<'de> for Items<'_, F, E>
where
    F: FnMut(Entry) -> Result<(), E>,
{
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0usize;
        while let Some(item) = seq.next_element::<JsonEntry>()? {
            n += 1;
            let where_ = || format!("{} item {n}", self.source);
            if let Some(entry) = item.entry(where_)
                && let Err(e) = (self.each)(entry)
            {
                *self.stopped = Some(Stopped::Receiver(e));
                return Err(A::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::stream_any;
    use super::*;

    #[test]
    fn a_json_object_is_refused_saying_so() {
        for text in [
            "{\"tasks\": [\"a\", \"b\"]}",
            "{\n  \"tasks\": [\n    \"a\"\n  ]\n}\n",
            "\n{\"task\": \"a\"}\n\n",
        ] {
            let mut got = 0;
            let r = stream_any(text.as_bytes(), "t.json", |_| {
                got += 1;
                Ok::<(), ()>(())
            });
            assert_eq!(got, 0, "{text:?}");
            assert!(
                matches!(r, Err(Stopped::Format(ref e))
                    if e == "t.json: a JSON object, expected an array of task ids or task objects"),
                "{text:?}: {r:?}"
            );
        }
        let r = stream_any(&b"{\n  \"tasks\": [\n"[..], "t.json", |_| Ok::<(), ()>(()));
        assert!(
            matches!(r, Err(Stopped::Format(ref e)) if e.starts_with("t.json: not valid JSON (")),
            "{r:?}"
        );
        let mut rejected = Vec::new();
        let r = stream_any(&b"{\"task_id\": \"bad/id\"}"[..], "t.json", |e| {
            rejected.push(format!("{e:?}"));
            Ok::<(), ()>(())
        });
        assert!(
            r.is_ok()
                && rejected.len() == 1
                && rejected[0].contains("t.json line 1: task_id: contains '/'"),
            "a task object with a bad id is that, not an object: {rejected:?}"
        );
        let mut ids = Vec::new();
        let r = stream_any(&b"{\"task_id\": \"one\"}\n"[..], "t.json", |e| {
            ids.push(format!("{e:?}"));
            Ok::<(), ()>(())
        });
        assert!(
            r.is_ok() && ids.len() == 1,
            "one task object is one JSON line: {ids:?}"
        );
    }

    #[test]
    fn json_lines_of_our_own_outputs_keep_labels_and_urls() {
        let text = concat!(
            "{\"task_id\":\"l-1\",\"label\":\"first\",\"url\":\"https://a.example/x\",\"last_outcome\":null,\"params\":\"\"}\n",
            "\n",
            "{\"task_id\":\"h-1\",\"status\":200,\"outcome\":\"accepted\",",
            "\"params\":\"url=https://b.example/y?a=1&b=2&file_ext=zip&unzip_password=***\"}\r\n",
            "not json\n",
            "{\"outcome\":\"accepted\"}\n",
        );
        let mut got = Vec::new();
        let r = stream_any(text.as_bytes(), "in", |e| {
            got.push(match e {
                Entry::Task(t) => format!("{} {:?} {:?}", t.id, t.label, t.url),
                Entry::Invalid(e) => format!("! {e}"),
            });
            Ok::<(), ()>(())
        });
        assert!(r.is_ok());
        assert_eq!(
            got,
            [
                r#"l-1 Some("first") Some("https://a.example/x")"#,
                r#"h-1 None Some("https://b.example/y?a=1&b=2")"#,
                "! in line 4: not a JSON object with task_id",
                "! in line 5: not a JSON object with task_id",
            ]
        );
    }
}
