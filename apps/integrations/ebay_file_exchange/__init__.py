"""eBay File Exchange (Seller Hub Reports upload) CSV for adding and revising listings."""
