//! The `Accept-Language` of a request that actix-http refuses before the application runs,
//! read from the connection's raw bytes, since no parsed request exists then. Best effort, and
//! documented as such: the value of every `Accept-Language:` line read since the connection's
//! last answer was written (a header line longer than actix's buffer, or a request pipelined
//! behind one still being answered, is English). Constant memory: a matcher for the header
//! name and at most [`MAX_VALUE_BYTES`] of value.

use crate::i18n::Language;

const NAME: &[u8] = b"accept-language:";
const MAX_VALUE_BYTES: usize = 1024;

#[derive(Debug)]
pub struct HeadLanguage {
    /// How much of [`NAME`] the current line has matched so far; `None` once it cannot match.
    matched: Option<usize>,
    /// Inside the value of an `Accept-Language` line.
    in_value: bool,
    value: String,
}

impl Default for HeadLanguage {
    fn default() -> Self {
        Self {
            matched: Some(0),
            in_value: false,
            value: String::new(),
        }
    }
}

impl HeadLanguage {
    /// Takes in bytes just read from the client.
    pub fn read(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if byte == b'\n' {
                self.in_value = false;
                self.matched = Some(0);
                continue;
            }
            if self.in_value {
                if byte != b'\r' && self.value.len() < MAX_VALUE_BYTES {
                    // Anything but visible ASCII makes its element unreadable, hence skipped.
                    let readable = byte == b' ' || byte == b'\t' || byte.is_ascii_graphic();
                    self.value
                        .push(if readable { char::from(byte) } else { '\u{1}' });
                }
                continue;
            }
            self.matched = match self.matched {
                Some(n) if NAME[n] == byte.to_ascii_lowercase() => {
                    if n + 1 == NAME.len() {
                        self.in_value = true;
                        if !self.value.is_empty() {
                            self.value.push(',');
                        }
                        None
                    } else {
                        Some(n + 1)
                    }
                }
                _ => None,
            };
        }
    }

    /// An answer went out: what is read next belongs to the next request.
    pub fn answered(&mut self) {
        self.value.clear();
    }

    pub fn language(&self) -> Language {
        Language::negotiate(&self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn language_of(chunks: &[&[u8]]) -> Language {
        let mut head = HeadLanguage::default();
        for chunk in chunks {
            head.read(chunk);
        }
        head.language()
    }

    #[test]
    fn the_header_is_found_in_any_case_and_across_reads() {
        assert_eq!(
            language_of(&[b"GET / HTTP/1.1\r\nHost: x\r\nAccept-Language: ru-RU,en;q=0.5\r\n"]),
            Language::Ru
        );
        assert_eq!(
            language_of(&[b"GET / HTTP/1.1\r\nACCEPT-LANG", b"UAGE: r", b"u\r\n\r\n"]),
            Language::Ru
        );
        assert_eq!(
            language_of(&[b"GET / HTTP/1.1\r\nAccept-Language: de\r\nAccept-Language: ru\r\n"]),
            Language::Ru
        );
    }

    #[test]
    fn without_the_header_or_after_an_answer_it_is_english() {
        assert_eq!(
            language_of(&[b"GET / HTTP/1.1\r\nX-Accept-Language: ru\r\n"]),
            Language::En
        );
        assert_eq!(
            language_of(&[b"GET /?Accept-Language:ru HTTP/1.1\r\n"]),
            Language::En
        );
        let mut head = HeadLanguage::default();
        head.read(b"GET / HTTP/1.1\r\nAccept-Language: ru\r\n\r\n");
        head.answered();
        head.read(b"GET / HTTP/1.1\r\nHost: x\r\n");
        assert_eq!(head.language(), Language::En);
    }

    #[test]
    fn unreadable_or_endless_values_are_english() {
        assert_eq!(
            language_of(&[b"GET / HTTP/1.1\r\nAccept-Language: r\xffu\r\n"]),
            Language::En
        );
        let mut long = b"GET / HTTP/1.1\r\nAccept-Language: ".to_vec();
        long.extend(std::iter::repeat_n(b'x', 10_000));
        assert_eq!(language_of(&[&long, b", ru\r\n"]), Language::En);
    }
}
