"""Listing quality: one documented score (docs/listing-quality.md) of a listing's copy.

- `language`: which parts of a text are not in the listing's language (lingua, built once).
- `keywords`: the high-value keywords a rewrite must keep.
- `score`: the score of one payload in a `QualityContext` (pure functions, typed results).
- `compare`: current copy vs proposal, the differences explained.
- `listing`: contexts from the database, the review check, the bulk-generation screen.
"""
