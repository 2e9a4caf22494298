"""Conformance tests: one module per family, each test tagged with the behaviour id it checks."""
