//! # delivery — the assess service
//!
//! Owns the axum HTTP service: storage (sqlx on SQLite or PostgreSQL), staff and student
//! authentication with role scopes, rosters and samples, test sessions with server-side
//! timers and zero-loss answer saving, the student runner, the live proctor dashboard,
//! the rater UI, background jobs that call `calibration` and `scoring`, and serving the
//! reports that `reports` renders.
//!
//! It contains no numerics of its own: statistics live in `calibration` and `scoring`,
//! item content and scoring rules in `itembank`.
//!
//! The service is built under its own issues; this crate currently fixes its place in the
//! workspace and its boundaries.
