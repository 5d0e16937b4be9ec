"""Shopify's product CSV (the admin's Products → Import file)."""
