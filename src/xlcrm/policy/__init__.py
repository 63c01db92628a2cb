"""policy.md as pure functions from tables to tables, one module per concern."""
