"""Listing images: main-image checks and auto-fix, selling-point images, storage."""
