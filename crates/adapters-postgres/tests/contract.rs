//! The storage contract suite against PostgreSQL: every rule on a fresh migrated database,
//! created on the server named by `TEST_DATABASE_URL` and dropped afterwards.

calls_port_contracts::storage_contract_tests!(
    calls_adapters_postgres::testing::TestDatabase::migrated_async()
);
