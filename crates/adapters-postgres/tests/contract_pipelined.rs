//! The storage contract suite against PostgreSQL with history pages read over pipelined
//! connections (`PostgresStorage::pipeline_history`), the server's default: the history and
//! session rules then exercise the pipelined reader, every other rule the pool as in
//! `contract.rs`. Two connections per thread, so that the rules' concurrent reads share them.

calls_port_contracts::storage_contract_tests!(
    calls_adapters_postgres::testing::TestDatabase::migrated_pipelined_async(2)
);
