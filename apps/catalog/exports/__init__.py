"""Exports: the CSV export of every listing and the per-marketplace upload files."""
