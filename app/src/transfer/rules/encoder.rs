//! A file written a batch of applications at a time, so that an export never holds the whole
//! file: the pieces, put together, are exactly the bytes `encode_csv` or `encode_json` writes for
//! all the records at once.

use super::csv::{csv_header, csv_rows};
use super::json::{json_closing, json_element, json_opening};
use crate::error::AppError;
use crate::transfer::model::{ApplicationRecord, Format};

/// Writes a file in pieces: one per batch of records (in file order), then the end.
#[derive(Debug)]
pub struct Encoder {
    format: Format,
    opened: bool,
    /// Applications written so far (JSON separates elements, and closes an empty array apart).
    written: usize,
}

impl Encoder {
    pub fn new(format: Format) -> Self {
        Self {
            format,
            opened: false,
            written: 0,
        }
    }

    /// The file's opening, once, before anything else.
    fn open(&mut self) -> Result<Vec<u8>, AppError> {
        if std::mem::replace(&mut self.opened, true) {
            return Ok(Vec::new());
        }
        match self.format {
            Format::Csv => csv_header(),
            Format::Json => json_opening(),
        }
    }

    /// The next piece of the file: these records (preceded by the file's opening the first
    /// time).
    pub fn batch(&mut self, records: &[ApplicationRecord]) -> Result<Vec<u8>, AppError> {
        let mut out = self.open()?;
        match self.format {
            Format::Csv => csv_rows(&mut out, records)?,
            Format::Json => {
                for r in records {
                    json_element(&mut out, r, self.written)?;
                    self.written += 1;
                }
            }
        }
        Ok(out)
    }

    /// The last piece of the file (the whole file when no batch came before).
    pub fn finish(mut self) -> Result<Vec<u8>, AppError> {
        let mut out = self.open()?;
        if self.format == Format::Json {
            out.extend_from_slice(&json_closing(self.written)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{declared, record};
    use super::super::{encode_csv, encode_json};
    use super::*;

    /// `count` records, declared and not, with awkward text (line breaks, quotes, formulas).
    fn records(count: usize) -> Vec<ApplicationRecord> {
        (0..count)
            .map(|i| {
                let mut r = if i % 2 == 0 {
                    declared(&format!("App {i}"))
                } else {
                    record(&format!("=App \"{i}\""))
                };
                r.archived = i % 3 == 0;
                r.provider = (i % 4 == 1).then(|| "Corporate IdP".to_string());
                r
            })
            .collect()
    }

    fn in_batches(format: Format, records: &[ApplicationRecord], size: usize) -> Vec<u8> {
        let mut encoder = Encoder::new(format);
        let mut file = Vec::new();
        for batch in records.chunks(size) {
            file.extend(encoder.batch(batch).unwrap());
            // An empty batch (the last page of an estate that fills its pages) adds nothing.
            file.extend(encoder.batch(&[]).unwrap());
        }
        file.extend(encoder.finish().unwrap());
        file
    }

    #[test]
    fn batches_make_the_same_file_as_all_at_once() {
        for count in [0, 1, 2, 7] {
            let all = records(count);
            let csv = encode_csv(&all).unwrap();
            let json = encode_json(&all).unwrap();
            for size in [1, 2, 3, 500] {
                assert!(
                    in_batches(Format::Csv, &all, size) == csv,
                    "CSV, {count} record(s) in batches of {size}"
                );
                assert_eq!(
                    String::from_utf8(in_batches(Format::Json, &all, size)).unwrap(),
                    String::from_utf8(json.clone()).unwrap(),
                    "JSON, {count} record(s) in batches of {size}"
                );
            }
        }
    }

    #[test]
    fn an_empty_estate_is_the_opening_and_the_end() {
        for format in [Format::Csv, Format::Json] {
            let file = Encoder::new(format).finish().unwrap();
            let all = match format {
                Format::Csv => encode_csv(&[]).unwrap(),
                Format::Json => encode_json(&[]).unwrap(),
            };
            assert!(file == all, "{format:?}");
        }
        let mut json = Encoder::new(Format::Json);
        let first = json.batch(&[]).unwrap();
        assert!(first.ends_with(b"\"applications\": ["), "{first:?}");
        assert_eq!(json.finish().unwrap(), b"]\n}\n");
    }
}
