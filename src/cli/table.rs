//! Aligned tables for `feeds` and `topics`: each column as wide as its widest cell; on a
//! terminal, lines cut to its width and the status column coloured (never with `NO_COLOR`).
//! Piped or redirected, every line is whole and plain, for grep and awk.

use console::{Style, Term, measure_text_width, pad_str, truncate_str};
use std::io::IsTerminal;

/// How a cell's text is placed in its column.
#[derive(Clone, Copy)]
pub enum Align {
    Left,
    Right,
}

/// Where the table goes: a terminal of some width (colours allowed or not), or a pipe.
#[derive(Clone, Copy, Debug)]
pub struct Screen {
    pub width: Option<usize>,
    pub colour: bool,
}

impl Screen {
    /// Stdout as it is now.
    pub fn stdout() -> Screen {
        let term = std::io::stdout().is_terminal();
        Screen {
            width: term
                .then(|| Term::stdout().size_checked().map(|(_, cols)| cols as usize))
                .flatten(),
            colour: term && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

/// A table; the last column takes what is left of the line and is never padded.
pub struct Table {
    headers: Vec<&'static str>,
    align: Vec<Align>,
    rows: Vec<Vec<(String, Option<Style>)>>,
}

impl Table {
    pub fn new(columns: &[(&'static str, Align)]) -> Table {
        Table {
            headers: columns.iter().map(|c| c.0).collect(),
            align: columns.iter().map(|c| c.1).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; a cell may carry the style it is shown in on a colour terminal.
    pub fn row(&mut self, cells: Vec<(String, Option<Style>)>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push(cells);
    }

    pub fn render(&self, screen: Screen) -> String {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.len()).collect();
        for row in &self.rows {
            for (i, (text, _)) in row.iter().enumerate().take(n - 1) {
                widths[i] = widths[i].max(measure_text_width(text));
            }
        }
        let line = |cells: Vec<(&str, Option<&Style>)>| {
            let mut plain = String::new();
            let mut shown = String::new();
            for (i, (text, style)) in cells.into_iter().enumerate() {
                let cell = if i + 1 == n {
                    text.to_string()
                } else {
                    let align = match self.align[i] {
                        Align::Left => console::Alignment::Left,
                        Align::Right => console::Alignment::Right,
                    };
                    pad_str(text, widths[i], align, None).into_owned() + "  "
                };
                plain.push_str(&cell);
                shown.push_str(&match (screen.colour, style) {
                    (true, Some(style)) => style.apply_to(&cell).force_styling(true).to_string(),
                    _ => cell,
                });
            }
            match screen.width {
                Some(w) if measure_text_width(&plain) > w => {
                    truncate_str(&shown, w, "…").into_owned()
                }
                _ => shown,
            }
        };
        let mut out = line(self.headers.iter().map(|h| (*h, None)).collect());
        out.push('\n');
        for row in &self.rows {
            out.push_str(&line(
                row.iter().map(|(t, s)| (t.as_str(), s.as_ref())).collect(),
            ));
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let mut t = Table::new(&[
            ("STATUS", Align::Left),
            ("N", Align::Right),
            ("FEED", Align::Left),
        ]);
        t.row(vec![
            ("failing".into(), Some(Style::new().red())),
            ("7".into(), None),
            (
                "https://example.org/a-rather-long-feed-url.xml  [timeout ×3] no answer".into(),
                None,
            ),
        ]);
        t.row(vec![
            ("ok".into(), Some(Style::new().green())),
            ("1234".into(), None),
            ("https://b.example/".into(), None),
        ]);
        t
    }

    #[test]
    fn piped_tables_are_aligned_plain_and_whole() {
        let out = table().render(Screen {
            width: None,
            colour: false,
        });
        assert_eq!(
            out,
            "STATUS      N  FEED\n\
             failing     7  https://example.org/a-rather-long-feed-url.xml  [timeout ×3] no answer\n\
             ok       1234  https://b.example/\n"
        );
    }

    #[test]
    fn terminal_tables_fit_the_width_and_colour_the_status() {
        let out = table().render(Screen {
            width: Some(40),
            colour: true,
        });
        for line in out.lines() {
            assert!(measure_text_width(line) <= 40, "{line:?}");
        }
        assert!(out.contains("\u{1b}["), "{out:?}");
        assert!(out.lines().nth(1).unwrap().ends_with('…'), "{out:?}");
        let plain = console::strip_ansi_codes(&out);
        assert!(
            plain.lines().nth(2).unwrap().starts_with("ok       1234  "),
            "{plain}"
        );
    }
}
