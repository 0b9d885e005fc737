//! Reading a response body's `ReadableStream` chunk by chunk.

use super::sys::{describe, future, pump, read_start};
use crate::error::Error;
use js_sys::{Function, Uint8Array};
use wasm_bindgen::JsCast;
use web_sys::{ReadableStreamDefaultReader, Response};

/// The body's reader. Dropped before the end, it cancels the stream (which closes the
/// connection); at the end it releases its lock.
pub(crate) struct BodyReader {
    reader: Option<ReadableStreamDefaultReader>,
}

impl BodyReader {
    /// A reader for `response`'s body; a response without a body reads as empty.
    pub(crate) fn new(response: &Response) -> Result<BodyReader, Error> {
        let reader = match response.body() {
            Some(stream) => {
                Some(ReadableStreamDefaultReader::new(&stream).map_err(|e| network(&e))?)
            }
            None => None,
        };
        Ok(BodyReader { reader })
    }

    /// Hands every chunk to `sink`, a large one in 64 KiB pieces (a JS function of a
    /// `Uint8Array` returning `true` to go on, `false` to stop, or a promise to read on
    /// once it settles), until the end of the body (`true`) or until `sink` says stop
    /// (`false`).
    pub(crate) async fn pump(&mut self, sink: &Function) -> Result<bool, Error> {
        let Some(reader) = &self.reader else {
            return Ok(true);
        };
        let ended = future(&pump(reader, sink)).await.map_err(|e| network(&e))?;
        if ended.as_bool() == Some(true) {
            if let Some(reader) = self.reader.take() {
                reader.release_lock();
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// Reads at most `limit` bytes of the body, for error messages, for at most `ms`
    /// milliseconds (a body that trickles or never ends does not hold the error back),
    /// then cancels it.
    pub(crate) async fn read_start(mut self, limit: usize, ms: u64) -> String {
        let Some(reader) = self.reader.take() else {
            return String::new();
        };
        let start = future(&read_start(&reader, limit as u32, ms as f64)).await;
        let bytes = start
            .ok()
            .and_then(|bytes| bytes.dyn_into::<Uint8Array>().ok())
            .map(|bytes| bytes.to_vec())
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Drop for BodyReader {
    fn drop(&mut self) {
        if let Some(reader) = self.reader.take() {
            let cancelled = reader.cancel();
            // Awaited in the background only so a rejection (an already errored stream)
            // is handled instead of being reported as unhandled.
            wasm_bindgen_futures::spawn_local(async move {
                let _ = future(&cancelled).await;
            });
        }
    }
}

fn network(error: &wasm_bindgen::JsValue) -> Error {
    Error::Network {
        message: describe(error),
    }
}
