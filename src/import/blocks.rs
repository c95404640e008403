//! A legacy document as a flat list of blocks (headings, paragraphs, list
//! items, table rows) with their plain text, line and enclosing headings,
//! so the inference rules can ask "is this under a Timeline heading?"
//! without re-parsing Markdown. Code blocks are left out; quoted blocks
//! (chat logs, e-mails) are marked.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::diagnostics::LineIndex;
use crate::incident::SectionKind;
use crate::incident::body::{markdown_options, named_section_kind, section_kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Heading(u8),
    Paragraph,
    /// A list item (its own text, without nested lists); `checked` is the task marker.
    Item {
        depth: usize,
        checked: Option<bool>,
    },
    /// A table row; `header` for the head row. Cells are in [`Block::cells`].
    Row {
        header: bool,
        table: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: Kind,
    /// Plain text: markup removed, line breaks kept as `\n`.
    pub text: String,
    pub cells: Vec<String>,
    /// 1-based line in the scanned text.
    pub line: usize,
    /// Inside a block quote.
    pub quoted: bool,
    /// Indices (into the block list) of the enclosing headings, outermost first.
    pub headings: Vec<usize>,
}

impl Block {
    pub fn level(&self) -> Option<u8> {
        match self.kind {
            Kind::Heading(level) => Some(level),
            _ => None,
        }
    }
}

/// The section a heading block starts, as `build` reads it: the title (a
/// first `#` heading) only by the usual section names.
pub fn section_of(blocks: &[Block], i: usize) -> Option<SectionKind> {
    let heading = &blocks[i];
    match heading.kind {
        Kind::Heading(1) if i == 0 => named_section_kind(&heading.text),
        Kind::Heading(_) => section_kind(&heading.text),
        _ => None,
    }
}

/// The blocks of `text`, in order.
pub fn blocks(text: &str) -> Vec<Block> {
    let lines = LineIndex::new(text);
    let line_of = |offset: usize| lines.location(offset, 1).line;
    let mut out: Vec<Block> = Vec::new();
    // Blocks being written: headings, paragraphs outside items, items (innermost last).
    let mut open: Vec<usize> = Vec::new();
    let mut quote_depth = 0usize;
    let mut code_depth = 0usize;
    let mut list_depth = 0usize;
    let mut tables = 0usize;
    let mut row: Option<usize> = None;
    let mut cell = String::new();

    let new_block = |out: &mut Vec<Block>, kind: Kind, line: usize, quoted: bool| {
        out.push(Block {
            kind,
            text: String::new(),
            cells: Vec::new(),
            line,
            quoted,
            headings: Vec::new(),
        });
        out.len() - 1
    };

    for (event, range) in Parser::new_ext(text, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let i = new_block(
                    &mut out,
                    Kind::Heading(level as u8),
                    line_of(range.start),
                    quote_depth > 0,
                );
                open.push(i);
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(i) = open.pop() {
                    out[i].text = out[i].text.trim().to_string();
                }
            }
            // A paragraph inside a list item is the item's text.
            Event::Start(Tag::Paragraph)
                if !open
                    .last()
                    .is_some_and(|&i| matches!(out[i].kind, Kind::Item { .. })) =>
            {
                let i = new_block(
                    &mut out,
                    Kind::Paragraph,
                    line_of(range.start),
                    quote_depth > 0,
                );
                open.push(i);
            }
            Event::End(TagEnd::Paragraph) => {
                if open.last().is_some_and(|&i| out[i].kind == Kind::Paragraph) {
                    open.pop();
                } else if let Some(&i) = open.last() {
                    out[i].text.push('\n');
                }
            }
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => list_depth = list_depth.saturating_sub(1),
            Event::Start(Tag::Item) => {
                let i = new_block(
                    &mut out,
                    Kind::Item {
                        depth: list_depth,
                        checked: None,
                    },
                    line_of(range.start),
                    quote_depth > 0,
                );
                open.push(i);
            }
            Event::End(TagEnd::Item) => {
                if let Some(i) = open.pop() {
                    out[i].text = out[i].text.trim().to_string();
                }
            }
            Event::TaskListMarker(checked) => {
                if let Some(&i) = open.last()
                    && let Kind::Item { depth, .. } = out[i].kind
                {
                    out[i].kind = Kind::Item {
                        depth,
                        checked: Some(checked),
                    };
                }
            }
            Event::Start(Tag::BlockQuote(_)) => quote_depth += 1,
            Event::End(TagEnd::BlockQuote(_)) => quote_depth = quote_depth.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => code_depth += 1,
            Event::End(TagEnd::CodeBlock) => code_depth = code_depth.saturating_sub(1),
            Event::Start(Tag::Table(_)) => tables += 1,
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                let header = matches!(event, Event::Start(Tag::TableHead));
                row = Some(new_block(
                    &mut out,
                    Kind::Row {
                        header,
                        table: tables,
                    },
                    line_of(range.start),
                    quote_depth > 0,
                ));
            }
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                if let Some(i) = row.take() {
                    out[i].text = out[i].cells.join(" | ");
                }
            }
            Event::End(TagEnd::TableCell) => {
                if let Some(i) = row {
                    out[i].cells.push(cell.trim().to_string());
                }
                cell.clear();
            }
            Event::Text(t) | Event::Code(t) if code_depth == 0 => {
                if row.is_some() {
                    cell.push_str(&t);
                } else if let Some(&i) = open.last() {
                    out[i].text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if row.is_some() {
                    cell.push(' ');
                } else if let Some(&i) = open.last() {
                    out[i].text.push('\n');
                }
            }
            _ => {}
        }
    }
    for block in &mut out {
        if block.kind == Kind::Paragraph {
            block.text = block.text.trim().to_string();
        }
    }
    out.retain(|b| !(b.kind == Kind::Paragraph && b.text.is_empty()));
    let mut stack: Vec<(u8, usize)> = Vec::new();
    for (i, block) in out.iter_mut().enumerate() {
        if let Some(level) = block.level() {
            while stack.last().is_some_and(|&(l, _)| l >= level) {
                stack.pop();
            }
            block.headings = stack.iter().map(|&(_, h)| h).collect();
            stack.push((level, i));
        } else {
            block.headings = stack.iter().map(|&(_, h)| h).collect();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_text_lines_and_headings() {
        let text = "# T\n\nIntro **bold**\nsecond line\n\n## Timeline\n\n- **09:15** - Alert\n  - nested\n- [x] done\n\n| Time | Event |\n|---|---|\n| 10:00 | Fixed\n\n> quoted 11:00\n\n```\n12:00 code\n```\n";
        let b = blocks(text);
        let summary: Vec<(String, usize, usize, bool)> = b
            .iter()
            .map(|b| (b.text.clone(), b.line, b.headings.len(), b.quoted))
            .collect();
        assert_eq!(
            summary,
            [
                ("T".to_string(), 1, 0, false),
                ("Intro bold\nsecond line".to_string(), 3, 1, false),
                ("Timeline".to_string(), 6, 1, false),
                ("09:15 - Alert".to_string(), 8, 2, false),
                ("nested".to_string(), 9, 2, false),
                ("done".to_string(), 10, 2, false),
                ("Time | Event".to_string(), 12, 2, false),
                ("10:00 | Fixed".to_string(), 14, 2, false),
                ("quoted 11:00".to_string(), 16, 2, true),
            ]
        );
        assert_eq!(
            b[5].kind,
            Kind::Item {
                depth: 1,
                checked: Some(true)
            }
        );
        assert_eq!(b[7].cells, ["10:00", "Fixed"]);
    }
}
