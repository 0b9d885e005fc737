//! A page written in Rust: a live ticker and a streamed chat answer, both read through
//! `wasm_sse::client`, whose event sources are `futures::Stream`s.

use futures_util::future::{AbortHandle, Abortable};
use futures_util::StreamExt;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use wasm_sse::client::{Event, EventSource};
use web_sys::{Document, Element, HtmlButtonElement, HtmlInputElement};

/// Rows kept in the ticker list; the counter keeps the full total.
const MAX_ROWS: usize = 40;

#[wasm_bindgen(start)]
pub fn start() {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("the app runs in a page with a document");
    let ticker = Rc::new(Ticker {
        start: element(&document, "tick-start"),
        stop: element(&document, "tick-stop"),
        status: element(&document, "tick-status"),
        count: element(&document, "tick-count"),
        list: element(&document, "ticks"),
        document: document.clone(),
        running: RefCell::new(None),
        total: Cell::new(0),
    });
    let chat = Rc::new(Chat {
        question: element(&document, "question"),
        ask: element(&document, "ask"),
        status: element(&document, "chat-status"),
        answer: element(&document, "answer"),
        running: RefCell::new(None),
    });

    let t = ticker.clone();
    on(&ticker.start, "click", move |_| t.start());
    let t = ticker.clone();
    on(&ticker.stop, "click", move |_| {
        t.stop("stopped: the stream was dropped")
    });
    let form: Element = element(&document, "chat");
    on(&form, "submit", move |event| {
        event.prevent_default();
        chat.ask();
    });
    ticker.start();
}

/// The live ticker: every message of `/events` as a row, newest first.
struct Ticker {
    document: Document,
    start: HtmlButtonElement,
    stop: HtmlButtonElement,
    status: Element,
    count: Element,
    list: Element,
    running: RefCell<Option<AbortHandle>>,
    total: Cell<u32>,
}

impl Ticker {
    fn start(self: &Rc<Self>) {
        let (handle, registration) = AbortHandle::new_pair();
        if let Some(previous) = self.running.replace(Some(handle)) {
            previous.abort();
        }
        self.set_running(true);
        say(&self.status, "connecting…", false);
        let this = self.clone();
        // Abortable drops the loop, and with it the stream, when Stop aborts the handle.
        spawn_local(async move {
            if Abortable::new(this.clone().read(), registration)
                .await
                .is_ok()
            {
                this.set_running(false);
            }
        });
    }

    async fn read(self: Rc<Self>) {
        let mut events = EventSource::builder("/events?interval=500").connect();
        let mut last_error = None;
        while let Some(item) = events.next().await {
            match item {
                Ok(Event::Open) => say(&self.status, "connected", false),
                Ok(Event::Message(message)) => self.show(&message),
                Ok(_) => {}
                Err(error) => {
                    let text = format!("{}; reconnecting…", describe(&error));
                    say(&self.status, &text, true);
                    last_error = Some(error);
                }
            }
        }
        let text = match &last_error {
            Some(error) => format!("ended: {}", describe(error)),
            None => "ended".to_owned(),
        };
        say(&self.status, &text, last_error.is_some());
    }

    fn show(&self, message: &wasm_sse::parser::Event) {
        self.total.set(self.total.get() + 1);
        self.count
            .set_text_content(Some(&self.total.get().to_string()));
        let row = self
            .document
            .create_element("li")
            .expect("li can be created");
        let kind = message.dispatch_type();
        row.set_class_name(if kind == "message" {
            "tick"
        } else {
            "tick named"
        });
        for (class, text) in [
            ("id", &*message.last_event_id),
            ("type", kind),
            ("data", message.data.as_str()),
        ] {
            let cell = self
                .document
                .create_element("span")
                .expect("span can be created");
            cell.set_class_name(class);
            cell.set_text_content(Some(text));
            let _ = row.append_child(&cell);
        }
        let _ = self.list.prepend_with_node_1(&row);
        while self.list.child_element_count() as usize > MAX_ROWS {
            if let Some(last) = self.list.last_element_child() {
                last.remove();
            }
        }
    }

    fn stop(&self, why: &str) {
        if let Some(handle) = self.running.take() {
            handle.abort();
        }
        self.set_running(false);
        say(&self.status, why, false);
    }

    fn set_running(&self, running: bool) {
        self.start.set_disabled(running);
        self.stop.set_disabled(!running);
    }
}

/// The chat: one question POSTed to an OpenAI-style endpoint, the answer appended piece by piece.
struct Chat {
    question: HtmlInputElement,
    ask: HtmlButtonElement,
    status: Element,
    answer: Element,
    running: RefCell<Option<AbortHandle>>,
}

impl Chat {
    fn ask(self: &Rc<Self>) {
        let question = self.question.value().trim().to_owned();
        if question.is_empty() {
            say(&self.status, "type a question first", false);
            return;
        }
        let (handle, registration) = AbortHandle::new_pair();
        if let Some(previous) = self.running.replace(Some(handle)) {
            previous.abort();
        }
        self.ask.set_disabled(true);
        self.answer.set_text_content(Some(""));
        self.status
            .set_text_content(Some("waiting for the answer…"));
        let this = self.clone();
        spawn_local(async move {
            // A newer question aborts this one; it re-enables the button itself.
            if Abortable::new(this.clone().stream(question), registration)
                .await
                .is_ok()
            {
                this.ask.set_disabled(false);
            }
        });
    }

    async fn stream(self: Rc<Self>, question: String) {
        let body = serde_json::json!({
            "model": "wasm-sse-demo",
            "messages": [{ "role": "user", "content": question }],
            "stream": true,
        });
        let mut events = EventSource::builder("/v1/chat/completions")
            .method("POST")
            .header("Authorization", "Bearer demo-token")
            .json(&body)
            .connect();
        let mut last_error = None;
        while let Some(item) = events.next().await {
            match item {
                Ok(Event::Message(message)) if message.data == "[DONE]" => {
                    say(&self.status, "done", false);
                    return;
                }
                Ok(Event::Message(message)) => match delta_content(&message.data) {
                    Ok(piece) => {
                        say(&self.status, "streaming…", false);
                        let text = self.answer.text_content().unwrap_or_default() + &piece;
                        self.answer.set_text_content(Some(&text));
                    }
                    Err(error) => {
                        let text = format!("the server sent a chunk that is not JSON: {error}");
                        say(&self.status, &text, true);
                        return;
                    }
                },
                Ok(_) => {}
                Err(error) => {
                    let text = format!("{}; resuming…", describe(&error));
                    say(&self.status, &text, true);
                    last_error = Some(error);
                }
            }
        }
        // The stream ended without [DONE]: after an error the client does not retry.
        let text = match last_error {
            Some(error) => format!("failed: {}", describe(&error)),
            None => "the answer ended early".to_owned(),
        };
        say(&self.status, &text, true);
    }
}

/// The text a chunk adds: `choices[0].delta.content`, or nothing (role and finish chunks).
fn delta_content(data: &str) -> Result<String, serde_json::Error> {
    let chunk: serde_json::Value = serde_json::from_str(data)?;
    let content = chunk
        .pointer("/choices/0/delta/content")
        .and_then(|c| c.as_str());
    Ok(content.unwrap_or_default().to_owned())
}

/// Shows a status line; `error` colours it as a problem.
fn say(status: &Element, text: &str, error: bool) {
    status.set_text_content(Some(text));
    status.set_class_name(if error { "status error" } else { "status" });
}

/// An error as a person reads it: what went wrong, and what the server said about it.
fn describe(error: &wasm_sse::Error) -> String {
    let mut text = error.to_string();
    // A refused request (a status other than 200) carries the start of the body; OpenAI-style
    // error bodies put the reason in `error.message`.
    if let (Some(_), wasm_sse::Error::Status { body, .. }) = (error.status(), error) {
        let reason = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.pointer("/error/message")?.as_str().map(str::to_owned));
        if let Some(reason) = reason {
            text = format!("{text}. The server said: {reason}");
        }
    }
    text
}

/// An element of index.html by id; a missing one is a bug in the page, not a runtime condition.
fn element<T: JsCast>(document: &Document, id: &str) -> T {
    document
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into().ok())
        .unwrap_or_else(|| panic!("index.html must have a #{id} of the expected kind"))
}

/// Adds an event listener for the life of the page.
fn on(target: &web_sys::EventTarget, kind: &str, handler: impl FnMut(web_sys::Event) + 'static) {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(handler);
    let _ = target.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
    closure.forget();
}
