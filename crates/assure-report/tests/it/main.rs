//! assure-report's tests: the document model of each report (annual, place, indicator
//! and commitment deep dives) built from real inputs without a database, the HTML it
//! writes, and the text of its PDF read back with poppler's `pdftotext`.

mod annual;
mod charts;
mod deep_dive;
mod fixture;
mod html;
mod pdf;
mod pdf_layout;
mod place;
