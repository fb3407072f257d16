//! The test harness: a fresh database on either backend for every test, the
//! whole portal on a real socket, a real SMTP server to catch its e-mail, and
//! a headless browser.

pub mod app;
pub mod browser;
pub mod db;
pub mod smtp;
