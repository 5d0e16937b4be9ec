"""Markers keep the price apart from the inputs hash, which PostgreSQL now computes.

Existing markers hold hashes made by pandas: they are dropped, so each listing's next run
prices it once (as on first activation) and marks it with the new hash.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("pricing", "0005_competitor_summary_and_markers")]

    operations = [
        migrations.RunSQL("DELETE FROM pricing_repricemarker", migrations.RunSQL.noop),
        migrations.AddField(
            model_name="repricemarker",
            name="price_u",
            field=models.BigIntegerField(default=-1),
        ),
    ]
