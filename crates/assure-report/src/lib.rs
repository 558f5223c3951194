//! Assurance reports, generated from live data: the annual report of the Integrated
//! Care Partnership ([`annual`]), deep-dive packs for an indicator or a commitment
//! ([`deep_dive`]) and place reports ([`place`]).
//!
//! Each builder makes a [`document::Report`] from the same building blocks
//! ([`blocks`]); [`html`] writes it as one print-ready HTML document and [`pdf`] as a
//! tagged PDF typeset in the process by Typst. [`charts`] draws the SVG charts the web
//! pages and the reports share. Pure: the caller reads the store.

pub mod annual;
pub mod blocks;
pub mod charts;
pub mod deep_dive;
pub mod document;
pub mod html;
pub mod pdf;
pub mod place;
pub mod residents;

pub use blocks::{Inputs, Snapshot};
pub use document::Report;
