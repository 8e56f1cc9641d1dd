//! The accounts' text (id, name, city, state, zip): rows in a few large buffers, each
//! row's start and its fields' lengths beside them.

use super::TEXTS;

/// Text rows of five fields (id, name, city, state, zip) in a few large buffers.
#[derive(Debug, Clone, Default)]
pub struct Texts {
    chunks: Vec<TextChunk>,
    /// The first row of each chunk.
    chunk_start: Vec<u32>,
    /// Rows held, across the chunks.
    rows: u32,
}

impl Texts {
    pub fn reserve(&mut self, rows: usize, bytes: usize) {
        match self.chunks.last_mut() {
            Some(c) => {
                c.reserve(rows);
                c.text.reserve(bytes);
            }
            None => {
                self.chunk_start.push(self.rows);
                self.chunks.push(TextChunk::with_capacity(rows, bytes));
            }
        }
    }

    /// Appends a row; returns its number.
    pub fn push(&mut self, fields: [&str; TEXTS]) -> u32 {
        let bytes: usize = fields.iter().map(|f| f.len()).sum();
        // A chunk's offsets are u32: start another before one would pass 4 GiB.
        if self.chunks.last().is_none_or(|c| c.text.len() + bytes > u32::MAX as usize) {
            self.chunk_start.push(self.rows);
            self.chunks.push(TextChunk::with_capacity(0, 0));
        }
        if let Some(chunk) = self.chunks.last_mut() {
            chunk.push(fields, bytes);
        }
        self.rows += 1;
        self.rows - 1
    }

    /// Field `field` of row `row`.
    #[inline]
    pub fn get(&self, row: u32, field: usize) -> &str {
        let c = if self.chunks.len() == 1 { 0 } else { self.chunk_start.partition_point(|&s| s <= row) - 1 };
        self.chunks[c].get((row - self.chunk_start[c]) as usize, field)
    }

    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// Moves `other`'s rows after these, copying no text; returns the number its first
    /// row now has.
    pub fn append(&mut self, mut other: Texts) -> u32 {
        // A piece's buffers grew by doubling while it was parsed: give back what it did
        // not fill (at a million accounts, about 35 MB kept for nothing otherwise).
        for c in &mut other.chunks {
            c.shrink_to_fit();
        }
        let offset = self.rows;
        self.chunk_start.extend(other.chunk_start.iter().map(|s| s + offset));
        self.chunks.extend(other.chunks);
        self.rows += other.rows;
        offset
    }
}

/// Text rows in one buffer. Row `r` starts at `starts[r]` and ends where row `r + 1`
/// starts; the lengths of its first four fields are `lens[r]` (the fifth is the rest):
/// 8 bytes a row where an end offset per field took 20 (12 MB less at a million
/// accounts). A chunk that meets a field of 255 bytes or more among the first four
/// keeps every field's end instead (`wide`, as all chunks did before).
#[derive(Debug, Clone)]
struct TextChunk {
    text: String,
    /// Where each row starts, and (last) where the text ends.
    starts: Vec<u32>,
    lens: Vec<[u8; TEXTS - 1]>,
    /// Every field's end (`ends[r × TEXTS + f]`, after a leading 0), once a field was
    /// too long for `lens`; then `lens` is empty.
    wide: Option<Vec<u32>>,
}

impl TextChunk {
    fn with_capacity(rows: usize, bytes: usize) -> TextChunk {
        let mut starts = Vec::with_capacity(rows + 1);
        starts.push(0);
        TextChunk { text: String::with_capacity(bytes), starts, lens: Vec::with_capacity(rows), wide: None }
    }

    fn reserve(&mut self, rows: usize) {
        match &mut self.wide {
            Some(ends) => ends.reserve(rows * TEXTS),
            None => {
                self.starts.reserve(rows);
                self.lens.reserve(rows);
            }
        }
    }

    fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.starts.shrink_to_fit();
        self.lens.shrink_to_fit();
        if let Some(ends) = &mut self.wide {
            ends.shrink_to_fit();
        }
    }

    /// Appends a row of `bytes` bytes in all (the caller checked that the offsets fit).
    fn push(&mut self, fields: [&str; TEXTS], bytes: usize) {
        let short = fields[..TEXTS - 1].iter().all(|f| f.len() < usize::from(u8::MAX));
        if self.wide.is_none() && !short {
            self.widen();
        }
        self.text.reserve(bytes);
        match &mut self.wide {
            Some(ends) => {
                for field in fields {
                    self.text.push_str(field);
                    ends.push(self.text.len() as u32);
                }
            }
            None => {
                let mut lens = [0u8; TEXTS - 1];
                for (l, f) in lens.iter_mut().zip(&fields) {
                    *l = f.len() as u8;
                }
                for field in fields {
                    self.text.push_str(field);
                }
                self.lens.push(lens);
                self.starts.push(self.text.len() as u32);
            }
        }
    }

    /// From `starts` and `lens` to every field's end: once per chunk at most.
    fn widen(&mut self) {
        let mut ends = Vec::with_capacity(self.lens.len() * TEXTS + 1);
        ends.push(0);
        for (r, lens) in self.lens.iter().enumerate() {
            let mut end = self.starts[r];
            for &l in lens {
                end += u32::from(l);
                ends.push(end);
            }
            ends.push(self.starts[r + 1]);
        }
        self.lens = Vec::new();
        self.starts = Vec::new();
        self.wide = Some(ends);
    }

    /// Field `field` of local row `r`.
    #[inline]
    fn get(&self, r: usize, field: usize) -> &str {
        let (a, b) = match &self.wide {
            Some(ends) => (ends[r * TEXTS + field], ends[r * TEXTS + field + 1]),
            None => {
                let lens = &self.lens[r];
                let a = self.starts[r] + lens[..field].iter().map(|&l| u32::from(l)).sum::<u32>();
                let b = if field + 1 < TEXTS { a + u32::from(lens[field]) } else { self.starts[r + 1] };
                (a, b)
            }
        };
        &self.text[a as usize..b as usize]
    }
}
