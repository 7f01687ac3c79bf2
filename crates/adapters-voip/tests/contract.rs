//! Both adapters against the `voice_provider` port's contract suite: the mock as it is, Twilio in
//! REST mode against a stateful fake of Twilio's Calls API.

mod support;

mod mock {
    use calls_adapters_voip::MockVoiceProvider;
    use calls_port_contracts::voice_provider::Subject;

    async fn subject() -> Subject {
        Subject::new(MockVoiceProvider::new())
    }

    calls_port_contracts::voice_provider_contract_tests!(subject());
}

mod twilio_rest {
    use calls_port_contracts::voice_provider::Subject;
    use wiremock::MockServer;

    use crate::support::{FakeCalls, rest_provider};

    async fn subject() -> Subject {
        let server = MockServer::start().await;
        FakeCalls::default().mount(&server).await;
        let provider = rest_provider(&server);
        Subject::new(provider).keeping_alive(server)
    }

    calls_port_contracts::voice_provider_contract_tests!(subject());

    #[tokio::test]
    async fn the_whole_suite_runs_in_one_go() {
        calls_port_contracts::voice_provider::run_all(subject).await;
    }
}
