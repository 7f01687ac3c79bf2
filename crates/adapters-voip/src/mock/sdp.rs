//! The SDP offer the mock hands out, so clients and tests exercise the same code path as with a
//! provider that negotiates a WebRTC leg.

use chrono::{DateTime, Utc};

/// Seconds between the NTP epoch (1900) and the Unix epoch: RFC 4566 recommends an NTP
/// timestamp for the origin's session id and version.
const NTP_UNIX_OFFSET: i64 = 2_208_988_800;

/// A minimal but complete RFC 4566 audio offer (PCMU, PCMA and DTMF events), CRLF line ends, the
/// lines in the order the RFC prescribes (`v o s c t` then the media section). Nothing listens
/// on the advertised address: the mock carries no audio.
pub(crate) fn audio_offer(now: DateTime<Utc>) -> String {
    let ntp_seconds = u64::try_from(now.timestamp().saturating_add(NTP_UNIX_OFFSET)).unwrap_or(0);
    let lines = [
        "v=0".to_owned(),
        format!("o=- {ntp_seconds} {ntp_seconds} IN IP4 127.0.0.1"),
        "s=calls-platform mock call".to_owned(),
        "c=IN IP4 127.0.0.1".to_owned(),
        "t=0 0".to_owned(),
        "m=audio 49170 RTP/AVP 0 8 101".to_owned(),
        "a=rtpmap:0 PCMU/8000".to_owned(),
        "a=rtpmap:8 PCMA/8000".to_owned(),
        "a=rtpmap:101 telephone-event/8000".to_owned(),
        "a=fmtp:101 0-15".to_owned(),
        "a=sendrecv".to_owned(),
    ];
    let mut sdp = lines.join("\r\n");
    sdp.push_str("\r\n");
    sdp
}
