//! # wasm-sse
//!
//! A Server-Sent Events client for the browser, written in Rust and compiled to
//! WebAssembly. This crate holds a spec-exact streaming parser for `text/event-stream`
//! ([`parser`]), usable natively and in wasm, and the bindings of the `wasm-sse` npm
//! package.
//!
//! The contract is the WHATWG HTML Standard, §9.2 "Server-sent events":
//! <https://html.spec.whatwg.org/multipage/server-sent-events.html>.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod parser;

#[cfg(target_arch = "wasm32")]
mod bindings;

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
