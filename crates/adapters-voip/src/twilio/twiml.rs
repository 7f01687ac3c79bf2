//! The TwiML documents our webhook answers Twilio with.

/// The events Twilio reports to the status callback; also used when placing REST calls.
pub const STATUS_CALLBACK_EVENTS: [&str; 4] = ["initiated", "ringing", "answered", "completed"];

const XML_DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// Connects the caller (the browser) to `to_e164`, showing `from` as the caller id.
/// `answerOnBridge` keeps the browser hearing the ring-back tone until the callee picks up, and
/// the status callback reports the dialled leg's progress to `status_callback_url`.
pub fn dial(from: &str, to_e164: &str, status_callback_url: &str) -> String {
    format!(
        "{XML_DECLARATION}<Response><Dial callerId=\"{from}\" answerOnBridge=\"true\">\
         <Number statusCallback=\"{callback}\" statusCallbackEvent=\"{events}\">{to}</Number>\
         </Dial></Response>",
        from = escape(from),
        callback = escape(status_callback_url),
        events = STATUS_CALLBACK_EVENTS.join(" "),
        to = escape(to_e164),
    )
}

/// How long [`hold`] keeps an answered call up: Twilio's own default limit on a call's length.
pub const HOLD_SECONDS: u32 = 4 * 60 * 60;

/// Keeps a call we placed ourselves (REST mode) up once the callee answers, until the user
/// terminates it through the API (which hangs it up) or Twilio's time limit ends it. The media
/// path to the user is outside this backend in that mode.
pub fn hold() -> String {
    format!("{XML_DECLARATION}<Response><Pause length=\"{HOLD_SECONDS}\"/></Response>")
}

/// Ends the call at once, saying nothing.
pub fn hang_up() -> String {
    format!("{XML_DECLARATION}<Response><Hangup/></Response>")
}

/// Tells the caller why the call cannot be made, then hangs up.
pub fn refuse(message: &str) -> String {
    format!(
        "{XML_DECLARATION}<Response><Say>{}</Say><Hangup/></Response>",
        escape(message)
    )
}

/// Escapes text for XML content and double- or single-quoted attributes. Characters XML 1.0
/// forbids (most control characters) are dropped, so the document always parses.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}
