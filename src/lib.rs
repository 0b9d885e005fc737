//! # wasm-sse
//!
//! A Server-Sent Events client for the browser, written in Rust and compiled to
//! WebAssembly: `fetch` with any method, headers and body; the spec's reconnection with
//! `retry:` and `Last-Event-ID`, plus opt-in backoff; abort at any moment.
//!
//! - [`parser`]: the spec-exact streaming parser (sans-IO; also native).
//! - [`retry`] and [`state`]: the pure decisions of the client (also native).
//! - `client` (wasm32 only): the Rust API, a `futures` `Stream` of events.
//!
//! The contract is the WHATWG HTML Standard, §9.2 "Server-sent events":
//! <https://html.spec.whatwg.org/multipage/server-sent-events.html>.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod error;
pub mod parser;
pub mod retry;
pub mod state;

#[cfg(target_arch = "wasm32")]
pub mod client;
#[cfg(target_arch = "wasm32")]
mod transport;

#[cfg(target_arch = "wasm32")]
mod bindings;

pub use error::Error;

/// The `talc` feature's allocator, smaller than std's on wasm32 (see Cargo.toml).
#[cfg(all(
    feature = "talc",
    target_arch = "wasm32",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
