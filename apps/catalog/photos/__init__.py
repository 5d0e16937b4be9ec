"""Photo to listing facts: product and packaging photos, the facts read off them (OCR, barcodes,
colour) as a `product_facts` draft a person accepts fact by fact."""
