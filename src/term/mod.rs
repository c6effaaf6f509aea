//! Terminal code both faces share, so that neither face imports the other
//! for it: today the secret prompt. Neither core nor face: it may use
//! crossterm, and it imports no face; the core never imports it
//! (`tests/layering.rs` holds both).

pub mod prompt;
