//! Twilio's webhooks against the `provider_webhooks` port's contract suite, signed as Twilio
//! signs: over the public URL and the form parameters. (The mock provider has no webhooks.)

mod support;

use calls_adapters_voip::twilio::{TwilioVoiceProvider, signature};
use calls_port_contracts::provider_webhooks::Subject;
use support::{AUTH_TOKEN, PUBLIC_BASE_URL, fixed_clock, rest_config};

fn subject() -> Subject {
    let webhooks = TwilioVoiceProvider::new(&rest_config("http://127.0.0.1:9"), fixed_clock())
        .expect("valid config")
        .webhooks();
    Subject::new(webhooks, |request| {
        let url = format!("{PUBLIC_BASE_URL}{}", request.path_and_query);
        signature::compute(AUTH_TOKEN, &url, &request.form)
    })
}

calls_port_contracts::provider_webhooks_contract_tests!(subject());

#[test]
fn the_whole_suite_runs_in_one_go() {
    calls_port_contracts::provider_webhooks::run_all(subject);
}
