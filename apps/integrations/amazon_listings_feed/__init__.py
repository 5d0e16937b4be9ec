"""Amazon JSON_LISTINGS_FEED documents (Selling Partner Feeds API), the JSON feed that replaced
the flat-file and XML listing feeds retired in July 2025."""
