//! Contract suites for the storage ports.
