//! Where the database file is, from a `sqlite://` URL or a plain path.

use std::path::PathBuf;

use crate::pool::ConnectError;

/// Accepts `sqlite://path`, `sqlite:path` and plain paths (`sqlite:///abs/path` is the absolute
/// `/abs/path`); a `?query` after a URL is ignored. In-memory databases are refused: every pooled
/// connection would get a database of its own.
pub(crate) fn database_path(url_or_path: &str) -> Result<PathBuf, ConnectError> {
    let trimmed = url_or_path.trim();
    let path = match trimmed
        .strip_prefix("sqlite://")
        .or_else(|| trimmed.strip_prefix("sqlite:"))
    {
        Some(rest) => rest.split_once('?').map_or(rest, |(path, _)| path),
        None => trimmed,
    };
    if path.is_empty() {
        return Err(ConnectError::InvalidLocation(
            "no database file given".to_owned(),
        ));
    }
    if path == ":memory:" || path.starts_with("file:") || path.contains("mode=memory") {
        return Err(ConnectError::InvalidLocation(
            "in-memory and URI databases are not supported: give a file path".to_owned(),
        ));
    }
    Ok(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn understands_urls_and_paths() {
        let cases = [
            ("sqlite://data/calls.db", "data/calls.db"),
            ("sqlite:///var/lib/calls.db", "/var/lib/calls.db"),
            ("sqlite:calls.db", "calls.db"),
            ("sqlite://calls.db?mode=rwc", "calls.db"),
            ("/tmp/x/calls.db", "/tmp/x/calls.db"),
            ("calls.db", "calls.db"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                database_path(input).expect(input),
                Path::new(expected),
                "{input}"
            );
        }
    }

    #[test]
    fn refuses_what_is_not_a_file() {
        for input in [
            "",
            "sqlite://",
            "sqlite::memory:",
            ":memory:",
            "file:x?mode=memory",
        ] {
            assert!(database_path(input).is_err(), "{input:?}");
        }
    }
}
