"""Deliberately wrong backends: each is torch (or the numpy backend) with one behaviour broken."""
