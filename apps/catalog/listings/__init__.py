"""Listings: the editor pages, API filters, edit history (`ListingRevision`), marketplace reference
data and the review-queue kinds whose target is a listing.
"""
