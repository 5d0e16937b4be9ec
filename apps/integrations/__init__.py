"""Imports and exports of outside file formats, one package per format with the same shape:
`parser.py` (and `writer.py` where we produce files), `services.py`, tests with real samples."""
