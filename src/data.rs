//! Labelled data from CSV files (the `csv` feature): numbers in columns,
//! the last columns the labels, read into the `Array2`s that
//! [`Sequential::fit`](crate::Sequential::fit) takes. Parsing is the
//! [`csv`](https://docs.rs/csv) crate's; this module checks that every row
//! is complete and every cell a number, and says where one is not.
//!
//! # Example
//!
//! ```
//! use neurite::data::{CsvOptions, read_csv};
//!
//! let text = "height,weight,label\n1.5,50,0\n1.8,80,1\n";
//! let table = read_csv::<f32, _>(text.as_bytes(), &CsvOptions::new())?;
//! assert_eq!(table.features, ndarray::array![[1.5, 50.0], [1.8, 80.0]]);
//! assert_eq!(table.labels, ndarray::array![[0.0], [1.0]]);
//! assert_eq!(table.columns, ["height", "weight", "label"]);
//! # Ok::<(), neurite::Error>(())
//! ```

use crate::Element;
use crate::error::{Error, format_error};
use crate::precision::narrow;
use ndarray::Array2;
use std::io::Read;
use std::path::Path;

/// How [`read_csv`] reads a file: whether its first line is a header, how
/// many of the last columns are labels, and the delimiter. By default: a
/// header, one label column, commas.
///
/// # Example
///
/// ```
/// use neurite::data::CsvOptions;
///
/// let options = CsvOptions::new().header(false).label_columns(2).delimiter(b';');
/// # let _ = options;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    header: bool,
    label_columns: usize,
    delimiter: u8,
}

impl CsvOptions {
    /// A header, one label column (the last), commas.
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::data::CsvOptions;
    ///
    /// assert_eq!(CsvOptions::new(), CsvOptions::default());
    /// ```
    pub fn new() -> Self {
        Self {
            header: true,
            label_columns: 1,
            delimiter: b',',
        }
    }

    /// Whether the first line names the columns (it is not data).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::data::{CsvOptions, read_csv};
    ///
    /// let table = read_csv::<f64, _>(&b"1,2\n3,4\n"[..], &CsvOptions::new().header(false))?;
    /// assert_eq!(table.features.nrows(), 2);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn header(mut self, header: bool) -> Self {
        self.header = header;
        self
    }

    /// How many of the last columns are labels (0 for none: everything is
    /// a feature).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::data::{CsvOptions, read_csv};
    ///
    /// let options = CsvOptions::new().header(false).label_columns(2);
    /// let table = read_csv::<f32, _>(&b"1,0,1\n"[..], &options)?;
    /// assert_eq!(table.labels, ndarray::array![[0.0, 1.0]]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn label_columns(mut self, columns: usize) -> Self {
        self.label_columns = columns;
        self
    }

    /// The byte between cells (`b','` by default).
    ///
    /// # Example
    ///
    /// ```
    /// use neurite::data::{CsvOptions, read_csv};
    ///
    /// let options = CsvOptions::new().header(false).delimiter(b';');
    /// let table = read_csv::<f32, _>(&b"0.5;1\n"[..], &options)?;
    /// assert_eq!(table.features, ndarray::array![[0.5]]);
    /// # Ok::<(), neurite::Error>(())
    /// ```
    pub fn delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = delimiter;
        self
    }
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// A CSV file's numbers: one row per line, the features and the labels
/// apart.
///
/// # Example
///
/// ```
/// use neurite::data::{CsvOptions, read_csv};
///
/// let table = read_csv::<f32, _>(&b"a,b,y\n1,2,0\n"[..], &CsvOptions::new())?;
/// assert_eq!((table.features.dim(), table.labels.dim()), ((1, 2), (1, 1)));
/// # Ok::<(), neurite::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Table<T> {
    /// The header's column names (empty without a header).
    pub columns: Vec<String>,
    /// Every column but the labels, one row per line.
    pub features: Array2<T>,
    /// The last [`label_columns`](CsvOptions::label_columns) columns.
    pub labels: Array2<T>,
}

/// Reads CSV text from `reader` (see [`CsvOptions`]). Cells are numbers
/// as Rust's `f64` parser reads them (surrounding spaces allowed; `NaN`
/// and `inf` are numbers too, which training then refuses), rounded to `T`.
///
/// # Errors
///
/// [`Error::Format`] naming the line (from 1, as an editor counts) and
/// column (from 1, with the header's name) for a cell that is not a
/// number, a row with fewer or more cells than the first, a file with no
/// rows, or text that is not UTF-8; [`Error::InvalidParameter`] when there
/// are not more columns than label columns.
///
/// # Example
///
/// ```
/// use neurite::Error;
/// use neurite::data::{CsvOptions, read_csv};
///
/// let bad = read_csv::<f32, _>(&b"a,b,y\n1,2,0\n3,x,1\n"[..], &CsvOptions::new());
/// let Err(Error::Format { what, .. }) = bad else { panic!() };
/// assert_eq!(what, "CSV: line 3, column 2 (b)");
/// # Ok::<(), neurite::Error>(())
/// ```
pub fn read_csv<T: Element, R: Read>(reader: R, options: &CsvOptions) -> Result<Table<T>, Error> {
    read(reader, options, "CSV")
}

/// Reads the CSV file at `path`, as [`read_csv`].
///
/// # Errors
///
/// As [`read_csv`] (messages name the file), and [`Error::Io`] when the
/// file cannot be opened.
///
/// # Example
///
/// ```
/// use neurite::data::{CsvOptions, load_csv};
///
/// let path = std::env::temp_dir().join("neurite_load_csv_doc.csv");
/// std::fs::write(&path, "x,y\n0.5,1\n").unwrap();
/// let table = load_csv::<f64>(&path, &CsvOptions::new())?;
/// assert_eq!(table.labels[[0, 0]], 1.0);
/// # Ok::<(), neurite::Error>(())
/// ```
pub fn load_csv<T: Element>(
    path: impl AsRef<Path>,
    options: &CsvOptions,
) -> Result<Table<T>, Error> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|error| Error::io(path, error))?;
    read(file, options, &path.display().to_string())
}

fn read<T: Element, R: Read>(
    reader: R,
    options: &CsvOptions,
    source: &str,
) -> Result<Table<T>, Error> {
    let mut csv = ::csv::ReaderBuilder::new()
        .has_headers(options.header)
        .delimiter(options.delimiter)
        .flexible(true)
        .from_reader(reader);
    let columns: Vec<String> = match options.header {
        true => csv
            .headers()
            .map_err(|e| csv_error(source, e))?
            .iter()
            .map(str::to_owned)
            .collect(),
        false => Vec::new(),
    };
    let mut values: Vec<T> = Vec::new();
    let (mut rows, mut width) = (0, None);
    for record in csv.records() {
        let record = record.map_err(|e| csv_error(source, e))?;
        let line = record.position().map_or(0, |p| p.line());
        let expected = *width.get_or_insert(record.len());
        if record.len() != expected {
            let what = format!(
                "{source}: line {line}, column {}",
                record.len().min(expected) + 1
            );
            let expected = format!("{expected} cells, as in the first row");
            return Err(format_error(
                &what,
                &expected,
                format!("{} cells", record.len()),
            ));
        }
        for (column, cell) in record.iter().enumerate() {
            let value: f64 = cell.trim().parse().map_err(|_| {
                let name = columns
                    .get(column)
                    .map_or(String::new(), |n| format!(" ({n})"));
                let what = format!("{source}: line {line}, column {}{name}", column + 1);
                format_error(&what, "a number", format!("{cell:?}"))
            })?;
            values.push(narrow(value));
        }
        rows += 1;
    }
    let width =
        width.ok_or_else(|| format_error(source, "at least one row of data", "none".into()))?;
    split(values, rows, width, options.label_columns, columns)
}

/// The features and labels of `rows` rows of `width` values.
fn split<T: Element>(
    values: Vec<T>,
    rows: usize,
    width: usize,
    labels: usize,
    columns: Vec<String>,
) -> Result<Table<T>, Error> {
    if labels >= width {
        return Err(Error::InvalidParameter {
            name: "label_columns",
            expected: "fewer label columns than the file has columns",
            found: format!("{labels} of {width} columns"),
        });
    }
    let table = Array2::from_shape_vec((rows, width), values).expect("rows × width values");
    let features = table.slice(ndarray::s![.., ..width - labels]).to_owned();
    let labels = table.slice(ndarray::s![.., width - labels..]).to_owned();
    Ok(Table {
        columns,
        features,
        labels,
    })
}

/// A csv crate error: I/O, or text that is not UTF-8, at its line.
fn csv_error(source: &str, error: ::csv::Error) -> Error {
    let line = error
        .position()
        .map_or(String::new(), |p| format!(": line {}", p.line()));
    format_error(
        &format!("{source}{line}"),
        "readable CSV text",
        error.to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Table<f64>, Error> {
        read_csv(text.as_bytes(), &CsvOptions::new())
    }

    fn what(result: Result<Table<f64>, Error>) -> String {
        match result {
            Err(Error::Format { what, .. }) => what,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_files_name_the_line_and_column() {
        assert_eq!(what(read("a,b,y\n1,2,0\n3,4\n")), "CSV: line 3, column 3");
        assert_eq!(
            what(read("a,b,y\n1,2,0\n3,4,5,6\n")),
            "CSV: line 3, column 4"
        );
        assert_eq!(what(read("a,b,y\n1,,0\n")), "CSV: line 2, column 2 (b)");
        assert_eq!(what(read("")), "CSV");
        assert_eq!(what(read("a,b,y\n")), "CSV");
        let bytes = b"a,y\n\xff,1\n";
        let invalid = read_csv::<f32, _>(&bytes[..], &CsvOptions::new());
        assert!(matches!(invalid, Err(Error::Format { .. })), "{invalid:?}");
        let one_column = read_csv::<f32, _>(&b"y\n1\n"[..], &CsvOptions::new());
        assert!(matches!(one_column, Err(Error::InvalidParameter { .. })));
    }

    #[test]
    fn spaces_and_crlf_are_fine() {
        let table = read("a, y\r\n 1.5 , 2\r\n-3e2,0\r\n").unwrap();
        assert_eq!(table.features, ndarray::array![[1.5], [-300.0]]);
        assert_eq!(table.columns, ["a", " y"]);
    }
}
