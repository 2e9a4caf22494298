"""The suite's tests of itself: registry, plugin, outcomes, comparison, mutants."""
