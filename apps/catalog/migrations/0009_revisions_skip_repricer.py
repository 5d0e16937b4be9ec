"""Listing revisions leave out the repricer's price moves: pricing.PriceChange already records
each one with its reason and strategy, and writing both doubled the cost of a 1M-offer run."""

import importlib

from django.db import migrations

_0007 = importlib.import_module("apps.catalog.migrations.0007_listing_revision_trigger_columns")

SKIP_REPRICER = _0007.REVISION_FUNCTION.replace(
    "BEGIN\n    INSERT INTO catalog_listingrevision",
    "BEGIN\n    IF current_setting('crossborder.change_source', true) = 'repricer' THEN\n"
    "        RETURN NULL;\n    END IF;\n    INSERT INTO catalog_listingrevision",
)
assert SKIP_REPRICER != _0007.REVISION_FUNCTION


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_faster_version_trigger")]

    operations = [migrations.RunSQL(SKIP_REPRICER, _0007.REVISION_FUNCTION)]
