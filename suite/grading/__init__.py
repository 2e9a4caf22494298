"""Grading a plugged-in implementation: weights, scores, feedback, batch runs."""
