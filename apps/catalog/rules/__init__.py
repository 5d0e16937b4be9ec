"""Marketplace rules as versioned data (`data/*.yaml`), loaded once into a validator.

`loader` reads and checks the YAML (a typo fails loudly at start-up, naming file and rule);
`engine` runs a ruleset over a payload of text fields. Listings use it through
`apps.catalog.content_checks.validate_listing`; anything else with marketplace text (image
callouts, customer-service replies) can call `engine.validate_fields` with its own fields.
"""
