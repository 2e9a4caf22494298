"""Run results to pandas DataFrames to files: CSV, Markdown, plots and grading JSON."""
