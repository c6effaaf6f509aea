//! What a form over one or more tasks starts from and what it saves: each
//! task's saved values, and the fields changed, applied task by task.

use secrecy::{ExposeSecret, SecretString};

use super::Field;
use crate::api::{ProcessingType, RescanParams};

/// A set of fields (mixed ones, changed ones), as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Fields(u8);

impl Fields {
    pub(super) fn contains(self, field: Field) -> bool {
        self.0 & field.bit() != 0
    }

    pub(super) fn set(&mut self, field: Field, on: bool) {
        if on {
            self.0 |= field.bit();
        } else {
            self.0 &= !field.bit();
        }
    }
}

/// One chosen task's saved parameters, which the form starts from and a
/// [`FormEdit`] is applied to.
#[derive(Debug, Clone, Copy)]
pub struct Saved<'a> {
    /// The parameters its next rescan sends.
    pub params: &'a RescanParams,
    /// Its unzip password was set but not kept across a restart.
    pub unzip_password_not_kept: bool,
}

impl Saved<'_> {
    /// Whether two tasks have the same saved value for `field`; for the
    /// password, "not kept" is a value of its own.
    pub(super) fn same(&self, other: &Saved<'_>, field: Field) -> bool {
        let (a, b) = (self.params, other.params);
        match field {
            Field::Url => a.url == b.url,
            Field::FileExt => a.file_ext == b.file_ext,
            Field::ProcessingType => a.processing_type == b.processing_type,
            Field::UnzipPassword => {
                secret(&a.unzip_password) == secret(&b.unzip_password)
                    && self.unzip_password_not_kept == other.unzip_password_not_kept
            }
            Field::ResetSimilarityThresholds => {
                a.reset_similarity_thresholds == b.reset_similarity_thresholds
            }
            Field::Unpack => a.unpack == b.unpack,
        }
    }
}

/// The secret's text, for comparing (never for showing).
pub(super) fn secret(s: &Option<SecretString>) -> Option<&str> {
    s.as_ref().map(|s| s.expose_secret())
}

/// What Enter on a valid form saves: the changed fields and their values.
#[derive(Debug, Clone)]
pub struct FormEdit {
    /// The values the form shows.
    pub(super) values: RescanParams,
    /// The fields changed since it opened.
    pub(super) changed: Fields,
}

impl FormEdit {
    /// True when no field was changed: nothing to save.
    pub fn is_empty(&self) -> bool {
        self.changed == Fields::default()
    }

    /// A task's parameters (and whether its unzip password is still not
    /// kept) with the changed fields applied; `None` when that changes
    /// nothing for it. The password is dropped unless the result is
    /// unzip-and-exec.
    pub fn apply(&self, before: Saved<'_>) -> Option<(RescanParams, bool)> {
        let mut p = before.params.clone();
        let mut not_kept = before.unzip_password_not_kept;
        let v = &self.values;
        for field in Field::ALL.into_iter().filter(|f| self.changed.contains(*f)) {
            match field {
                Field::Url => p.url.clone_from(&v.url),
                Field::FileExt => p.file_ext.clone_from(&v.file_ext),
                Field::ProcessingType => p.processing_type = v.processing_type,
                Field::UnzipPassword => {
                    p.unzip_password.clone_from(&v.unzip_password);
                    not_kept = false;
                }
                Field::ResetSimilarityThresholds => {
                    p.reset_similarity_thresholds = v.reset_similarity_thresholds
                }
                Field::Unpack => p.unpack = v.unpack,
            }
        }
        if p.processing_type != Some(ProcessingType::UnzipAndExec) {
            p.unzip_password = None;
            not_kept = false;
        }
        let after = Saved {
            params: &p,
            unzip_password_not_kept: not_kept,
        };
        let same = Field::ALL.into_iter().all(|f| after.same(&before, f));
        (!same).then_some((p, not_kept))
    }

    /// What was changed, in words: `file_ext=exe; not sent: url` (secrets
    /// masked).
    pub fn summary(&self) -> String {
        let v = &self.values;
        let only = |field: Field| self.changed.contains(field);
        let set = RescanParams {
            url: v.url.clone().filter(|_| only(Field::Url)),
            file_ext: v.file_ext.clone().filter(|_| only(Field::FileExt)),
            processing_type: v.processing_type.filter(|_| only(Field::ProcessingType)),
            unzip_password: v
                .unzip_password
                .clone()
                .filter(|_| only(Field::UnzipPassword)),
            reset_similarity_thresholds: v
                .reset_similarity_thresholds
                .filter(|_| only(Field::ResetSimilarityThresholds)),
            unpack: v.unpack.filter(|_| only(Field::Unpack)),
        };
        let cleared: Vec<&str> = Field::ALL
            .into_iter()
            .filter(|f| only(*f) && !is_set(&set, *f))
            .map(Field::name)
            .collect();
        let mut parts = vec![set.masked_query()];
        if !cleared.is_empty() {
            parts.push(format!("not sent: {}", cleared.join(", ")));
        }
        parts.retain(|p| !p.is_empty());
        parts.join("; ")
    }
}

/// Whether `field` has a value in `p`.
fn is_set(p: &RescanParams, field: Field) -> bool {
    match field {
        Field::Url => p.url.is_some(),
        Field::FileExt => p.file_ext.is_some(),
        Field::ProcessingType => p.processing_type.is_some(),
        Field::UnzipPassword => p.unzip_password.is_some(),
        Field::ResetSimilarityThresholds => p.reset_similarity_thresholds.is_some(),
        Field::Unpack => p.unpack.is_some(),
    }
}
