//! Lists as downloads for the programme office: one table of typed cells, written as CSV
//! or as an Excel workbook (`.xlsx`: numbers as numbers, dates as dates, a bold header
//! row, the header frozen and filters on). Either way no cell can run as a formula: CSV
//! cells are neutralised ([`assure_plan::spreadsheet::neutralise`]) and workbook text
//! that looks like a formula is a string cell with Excel's quote prefix, so it stays text
//! even when someone edits it.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use crate::WebError;

/// The two ways a list downloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Download {
    /// Comma-separated text.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

impl Download {
    /// The file-name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Download::Csv => "csv",
            Download::Xlsx => "xlsx",
        }
    }
}

/// One cell of a list.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A calendar date.
    Date(Date),
    /// Yes or no.
    Yes(bool),
}

impl Cell {
    /// Text, or an empty cell for empty text.
    pub fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        if s.is_empty() { Cell::Empty } else { Cell::Text(s) }
    }

    /// A number if there is one.
    pub fn number(n: Option<f64>) -> Cell {
        n.filter(|n| n.is_finite()).map_or(Cell::Empty, Cell::Number)
    }

    /// The date a plan's period ends on (`March 2025` → 31 March 2025), or the words as
    /// written when they are not a date (`Ongoing`).
    pub fn due(text: &str) -> Cell {
        assure_tracking::delivery::due_date(text).map_or_else(|| Cell::text(text), Cell::Date)
    }

    /// The cell as CSV text (dates ISO 8601, yes/no in words).
    fn csv(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => assure_plan::spreadsheet::neutralise(s).into_owned(),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Yes(b) => if *b { "yes" } else { "no" }.to_owned(),
        }
    }
}

/// A list to download: its columns (named as in the CSV header) and rows.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The worksheet's name and the file name's stem (`my-work`).
    pub name: &'static str,
    /// The column headings.
    pub columns: Vec<&'static str>,
    /// The rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    /// An empty list with these columns.
    pub fn new(name: &'static str, columns: &[&'static str]) -> Sheet {
        Sheet { name, columns: columns.to_vec(), rows: Vec::new() }
    }

    /// Adds a row.
    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "{}: a row as long as the header", self.name);
        self.rows.push(row);
    }

    /// The list as CSV.
    pub fn csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(&self.columns)?;
        for row in &self.rows {
            out.write_record(row.iter().map(Cell::csv))?;
        }
        out.into_inner().map_err(|e| e.into_error().into())
    }

    /// The list as an Excel workbook of one worksheet.
    pub fn xlsx(&self) -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(self.name)?;
        let bold = Format::new().set_bold();
        let date = Format::new().set_num_format("d mmm yyyy");
        let text = Format::new().set_quote_prefix();
        for (c, heading) in (0u16..).zip(&self.columns) {
            sheet.write_string_with_format(0, c, *heading, &bold)?;
        }
        for (r, row) in (1u32..).zip(&self.rows) {
            for (c, cell) in (0u16..).zip(row) {
                match cell {
                    Cell::Empty => {}
                    Cell::Text(s) if assure_plan::spreadsheet::neutralise(s) != s.as_str() => {
                        sheet.write_string_with_format(r, c, s, &text)?;
                    }
                    Cell::Text(s) => {
                        sheet.write_string(r, c, s)?;
                    }
                    Cell::Number(n) => {
                        sheet.write_number(r, c, *n)?;
                    }
                    Cell::Date(d) => {
                        let day = ExcelDateTime::from_ymd(
                            u16::try_from(d.year()).unwrap_or(1900),
                            d.month().unsigned_abs(),
                            d.day().unsigned_abs(),
                        )?;
                        sheet.write_datetime_with_format(r, c, &day, &date)?;
                    }
                    Cell::Yes(b) => {
                        sheet.write_boolean(r, c, *b)?;
                    }
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        let last_column = u16::try_from(self.columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
        let last_row = u32::try_from(self.rows.len()).unwrap_or(u32::MAX);
        sheet.autofilter(0, 0, last_row, last_column)?;
        sheet.autofit();
        book.save_to_buffer()
    }

    /// The list as a download in the format asked for.
    pub fn download(&self, format: Download) -> Result<Response, WebError> {
        let fail = |e: &dyn std::fmt::Display| WebError::Internal(format!("{}.{}: {e}", self.name, format.extension()));
        let (content_type, body) = match format {
            Download::Csv => ("text/csv; charset=utf-8", self.csv().map_err(|e| fail(&e))?),
            Download::Xlsx => (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                self.xlsx().map_err(|e| fail(&e))?,
            ),
        };
        Ok((
            [
                (header::CONTENT_TYPE, content_type.to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.{}\"", self.name, format.extension())),
            ],
            body,
        )
            .into_response())
    }
}

/// "Download this list as CSV or as a spreadsheet (Excel)", linking `href` with each
/// extension (`href` is the list's address with `.csv` in it, query and all).
pub fn download_links(csv_href: &str) -> maud::Markup {
    let xlsx_href = csv_href.replacen(".csv", ".xlsx", 1);
    maud::html! {
        p { "Download this list as " a href=(csv_href) { "CSV" } " or as a " a href=(xlsx_href) { "spreadsheet (Excel)" } "." }
    }
}
