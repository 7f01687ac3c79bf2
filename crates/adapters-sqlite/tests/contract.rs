//! The storage contract suite against SQLite: every rule on a fresh migrated database file.

calls_port_contracts::storage_contract_tests!(
    calls_adapters_sqlite::testing::TestDatabase::migrated_async()
);
