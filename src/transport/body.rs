//! Reading a response body's `ReadableStream` chunk by chunk.

use super::sys::{describe, future, pump};
use crate::error::Error;
use js_sys::{Function, Uint8Array};
use wasm_bindgen::JsCast;
use web_sys::{ReadableStreamDefaultReader, ReadableStreamReadResult, Response};

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

    /// Copies the next chunk into `buffer` (replacing its contents); `false` at the end.
    ///
    /// One call into JavaScript per chunk: the bytes are copied straight from the
    /// chunk's `Uint8Array` into wasm memory.
    pub(crate) async fn read_into(&mut self, buffer: &mut Vec<u8>) -> Result<bool, Error> {
        buffer.clear();
        let Some(reader) = &self.reader else {
            return Ok(false);
        };
        let result = future(&reader.read()).await.map_err(|e| network(&e))?;
        let result: ReadableStreamReadResult = result.unchecked_into();
        if result.get_done().unwrap_or(false) {
            if let Some(reader) = self.reader.take() {
                reader.release_lock();
            }
            return Ok(false);
        }
        let chunk: Uint8Array = result.get_value().dyn_into().map_err(|_| Error::Network {
            message: "the response body produced a chunk that is not a Uint8Array".into(),
        })?;
        buffer.resize(chunk.length() as usize, 0);
        chunk.copy_to(buffer);
        Ok(true)
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

    /// Reads at most `limit` bytes of the body, for error messages, then cancels it.
    pub(crate) async fn read_start(mut self, limit: usize) -> String {
        let mut collected = Vec::new();
        let mut chunk = Vec::new();
        while collected.len() < limit {
            match self.read_into(&mut chunk).await {
                Ok(true) => collected.extend_from_slice(&chunk),
                _ => break,
            }
        }
        collected.truncate(limit);
        String::from_utf8_lossy(&collected).into_owned()
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
