from django.db import migrations


def load(apps, schema_editor):
    from apps.catalog.listings.marketplaces import marketplaces_sync

    marketplaces_sync(apps.get_model("catalog", "Marketplace"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_version_triggers")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
