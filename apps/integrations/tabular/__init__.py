"""Bytes in, typed rows and line-numbered errors out: the one import pipeline.

`pipeline.read(source, schema)` is the entry point; `schema` declares columns as data,
`decoding` tells encodings apart, `readers` turns CSV/TSV/XLSX into chunks of cells with line
numbers, `values` types whole columns at once.
"""
