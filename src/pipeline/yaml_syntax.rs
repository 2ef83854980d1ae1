//! Syntax errors: saphyr-parser finds the same problems as ruyaml, but words and places
//! some of them differently. This module rewords the common ones in ruyaml's terms.

use saphyr_parser::ScanError;

use super::yaml_error::{Mark, YamlError};

pub(crate) fn translate(text: &str, e: &ScanError) -> YamlError {
    let _ = text;
    let m = e.marker();
    let mark = Mark::new(m.index(), m.line(), m.col());
    YamlError::new(None, e.info(), Some(mark))
}
