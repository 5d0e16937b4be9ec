"""Channel rules as versioned data (`data/*.yaml`), loaded once into a validator.

`loader` reads and checks the YAML (a typo fails loudly at start-up, naming file and rule);
each rule file declares the document type it checks (`document: listing`) and that document's
text fields. `engine` runs a ruleset over a payload of those fields. Listings use it through
`apps.catalog.rules.checks.validate_listing`; other documents (buyer replies, ad keywords)
are rule files of their own type, found with `loader.ruleset_for(document=..., code=...)` (or
read with `loader.load_ruleset(path)`) and checked with the same `engine.validate_fields`.
"""
