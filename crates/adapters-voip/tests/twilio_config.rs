//! Validation of the Twilio settings.

mod support;

use std::time::Duration;

use calls_adapters_voip::twilio::{
    DEFAULT_API_BASE_URL, DEFAULT_REQUEST_TIMEOUT, DEFAULT_TOKEN_TTL, TwilioConfig,
    TwilioConfigError, TwilioMode, TwilioVoiceProvider,
};
use secrecy::SecretString;
use support::*;

fn missing(config: &TwilioConfig) -> Vec<&'static str> {
    match config.validate() {
        Err(TwilioConfigError::Missing(names)) => names,
        other => panic!("expected missing settings, got {other:?}"),
    }
}

fn invalid_setting(config: &TwilioConfig) -> &'static str {
    match config.validate() {
        Err(TwilioConfigError::Invalid { setting, .. }) => setting,
        other => panic!("expected an invalid setting, got {other:?}"),
    }
}

#[test]
fn defaults_are_documented_values() {
    let config = TwilioConfig::default();
    assert_eq!(config.api_base_url, "https://api.twilio.com");
    assert_eq!(config.api_base_url, DEFAULT_API_BASE_URL);
    assert_eq!(config.request_timeout, Duration::from_secs(5));
    assert_eq!(config.request_timeout, DEFAULT_REQUEST_TIMEOUT);
    assert_eq!(config.token_ttl, Duration::from_secs(3600));
    assert_eq!(config.token_ttl, DEFAULT_TOKEN_TTL);
}

#[test]
fn complete_settings_select_the_mode() {
    assert_eq!(
        rest_config(DEFAULT_API_BASE_URL).validate(),
        Ok(TwilioMode::Rest)
    );
    assert_eq!(
        sdk_config(DEFAULT_API_BASE_URL).validate(),
        Ok(TwilioMode::VoiceSdk)
    );
}

#[test]
fn nothing_set_names_every_rest_setting() {
    assert_eq!(
        missing(&TwilioConfig::default()),
        [
            "VOIP_ACCOUNT_SID",
            "VOIP_AUTH_TOKEN",
            "VOIP_FROM_NUMBER",
            "VOICE_PUBLIC_BASE_URL"
        ]
    );
}

#[test]
fn exactly_the_missing_settings_are_named() {
    let mut config = rest_config(DEFAULT_API_BASE_URL);
    config.auth_token = None;
    assert_eq!(missing(&config), ["VOIP_AUTH_TOKEN"]);

    let mut config = rest_config(DEFAULT_API_BASE_URL);
    config.public_base_url = Some("   ".to_owned());
    config.from_number = Some(String::new());
    assert_eq!(
        missing(&config),
        ["VOIP_FROM_NUMBER", "VOICE_PUBLIC_BASE_URL"]
    );

    let mut config = rest_config(DEFAULT_API_BASE_URL);
    config.auth_token = Some(SecretString::from(""));
    assert_eq!(
        missing(&config),
        ["VOIP_AUTH_TOKEN"],
        "an empty secret is unset"
    );
}

#[test]
fn a_partial_api_key_or_voice_sdk_setup_names_what_it_lacks() {
    let mut config = rest_config(DEFAULT_API_BASE_URL);
    config.api_key_sid = Some(API_KEY_SID.to_owned());
    assert_eq!(missing(&config), ["VOIP_API_KEY_SECRET"]);

    let mut config = rest_config(DEFAULT_API_BASE_URL);
    config.twiml_app_sid = Some(TWIML_APP_SID.to_owned());
    assert_eq!(
        missing(&config),
        ["VOIP_API_KEY_SID", "VOIP_API_KEY_SECRET"],
        "the Voice SDK's tokens are signed with the API key"
    );

    let mut config = sdk_config(DEFAULT_API_BASE_URL);
    config.api_key_secret = None;
    config.account_sid = None;
    assert_eq!(
        missing(&config),
        ["VOIP_ACCOUNT_SID", "VOIP_API_KEY_SECRET"]
    );
}

#[test]
fn an_api_key_without_a_twiml_app_is_the_rest_mode() {
    let mut config = rest_config(DEFAULT_API_BASE_URL);
    config.api_key_sid = Some(API_KEY_SID.to_owned());
    config.api_key_secret = Some(SecretString::from(API_KEY_SECRET));
    assert_eq!(config.validate(), Ok(TwilioMode::Rest));
}

#[test]
fn plain_http_is_refused_but_for_loopback_hosts() {
    for (setting, url) in [
        ("TWILIO_API_BASE_URL", "http://api.twilio.com"),
        ("TWILIO_API_BASE_URL", "http://10.0.0.5:8080"),
        ("TWILIO_API_BASE_URL", "http://127.0.0.1.example.com"),
        ("TWILIO_API_BASE_URL", "http://localhost.example.com"),
        ("VOICE_PUBLIC_BASE_URL", "http://calls.example.com"),
        ("VOICE_PUBLIC_BASE_URL", "http://[2001:db8::1]:8080"),
    ] {
        let mut config = rest_config(DEFAULT_API_BASE_URL);
        if setting == "TWILIO_API_BASE_URL" {
            config.api_base_url = url.to_owned();
        } else {
            config.public_base_url = Some(url.to_owned());
        }
        let error = config.validate().expect_err(url);
        let message = error.to_string();
        assert_eq!(
            (invalid_setting(&config), message.lines().count()),
            (setting, 1),
            "{url}: {message}"
        );
        assert!(
            message.starts_with(&format!("{setting} is invalid: must use https://")),
            "{message}"
        );
    }
    for url in [
        "http://127.0.0.1:8080",
        "http://127.1.2.3",
        "http://localhost:9000/",
        "http://LOCALHOST",
        "http://[::1]:8080",
        "https://api.twilio.com",
    ] {
        let mut config = rest_config(url);
        config.public_base_url = Some(url.to_owned());
        assert_eq!(config.validate(), Ok(TwilioMode::Rest), "{url}");
    }
}

#[test]
fn the_error_message_names_the_settings() {
    let mut config = rest_config(DEFAULT_API_BASE_URL);
    config.account_sid = None;
    config.from_number = None;
    let message = config.validate().expect_err("incomplete").to_string();
    assert!(
        message.contains("VOIP_ACCOUNT_SID, VOIP_FROM_NUMBER"),
        "{message}"
    );
    assert!(!message.contains(AUTH_TOKEN));
}

#[test]
fn malformed_values_are_refused_by_name() {
    let base = || sdk_config(DEFAULT_API_BASE_URL);
    type Change = Box<dyn Fn(&mut TwilioConfig)>;
    let cases: [(&str, Change); 11] = [
        (
            "VOIP_ACCOUNT_SID",
            Box::new(|c| c.account_sid = Some(API_KEY_SID.to_owned())),
        ),
        (
            "VOIP_ACCOUNT_SID",
            Box::new(|c| c.account_sid = Some("AC/../x".to_owned())),
        ),
        (
            "VOIP_API_KEY_SID",
            Box::new(|c| c.api_key_sid = Some(ACCOUNT_SID.to_owned())),
        ),
        (
            "VOIP_TWIML_APP_SID",
            Box::new(|c| c.twiml_app_sid = Some("APnothex".to_owned())),
        ),
        (
            "VOIP_FROM_NUMBER",
            Box::new(|c| c.from_number = Some("15005550006".to_owned())),
        ),
        (
            "VOICE_PUBLIC_BASE_URL",
            Box::new(|c| c.public_base_url = Some("calls.example.test".to_owned())),
        ),
        (
            "VOICE_PUBLIC_BASE_URL",
            Box::new(|c| c.public_base_url = Some("https://x.test/?a=1".to_owned())),
        ),
        (
            "TWILIO_API_BASE_URL",
            Box::new(|c| c.api_base_url = "ftp://api.twilio.com".to_owned()),
        ),
        (
            "token_ttl",
            Box::new(|c| c.token_ttl = Duration::from_secs(24 * 3600 + 1)),
        ),
        (
            "request_timeout",
            Box::new(|c| c.request_timeout = Duration::ZERO),
        ),
        (
            "ring_timeout",
            Box::new(|c| c.ring_timeout = Duration::from_secs(601)),
        ),
    ];
    for (expected, change) in cases {
        let mut config = base();
        change(&mut config);
        assert_eq!(invalid_setting(&config), expected);
    }
}

#[test]
fn a_token_ttl_of_exactly_24_hours_is_allowed() {
    let mut config = sdk_config(DEFAULT_API_BASE_URL);
    config.token_ttl = Duration::from_secs(24 * 3600);
    assert_eq!(config.validate(), Ok(TwilioMode::VoiceSdk));
}

#[test]
fn the_provider_refuses_an_invalid_configuration() {
    let error = TwilioVoiceProvider::new(&TwilioConfig::default(), fixed_clock())
        .expect_err("nothing configured");
    assert!(matches!(error, TwilioConfigError::Missing(_)));
}

#[test]
fn debug_output_hides_secrets() {
    let config = sdk_config(DEFAULT_API_BASE_URL);
    let text = format!("{config:?}");
    assert!(!text.contains(AUTH_TOKEN), "{text}");
    assert!(!text.contains(API_KEY_SECRET), "{text}");
    let provider = TwilioVoiceProvider::new(&config, fixed_clock()).expect("valid");
    let text = format!("{provider:?}");
    assert!(
        !text.contains(AUTH_TOKEN) && !text.contains(API_KEY_SECRET),
        "{text}"
    );
}
