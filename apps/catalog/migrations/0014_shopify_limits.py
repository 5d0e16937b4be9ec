"""Shopify's reference row gains bullet and search-term limits: the Shopify export writes
bullets into Body (HTML) and search terms as Tags, so generated copy keeps them."""

from django.db import migrations


def sync(apps, schema_editor):
    from apps.catalog.listings.marketplaces import marketplaces_sync

    marketplaces_sync(apps.get_model("catalog", "Marketplace"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0013_listing_updated_at_on_change")]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
