"""Competitor offers from CSV, TSV or XLSX files (repricer and scraper exports)."""
