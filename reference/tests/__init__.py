"""The reference checked against the documents' printed figures."""
