//! # reports — turning report data into documents people read
//!
//! Owns rendering of the report data computed by `scoring` to HTML (askama templates),
//! SVG charts (plotters), PDF (typst, behind a feature because it dominates build time),
//! XLSX and CSV, and the UI message catalog (zh-CN first, English) that `delivery` uses.
//!
//! It computes no statistics: every number it shows arrives from `scoring`.
//!
//! Rendering is built under its own issue; this crate currently fixes its place in the
//! workspace and its boundaries.
