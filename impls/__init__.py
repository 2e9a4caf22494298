"""The backends that ship, and the registry that resolves a backend spec to a namespace."""
