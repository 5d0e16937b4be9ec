"""One competitor observation per (listing, seller, observed_at).

Parallel bulk posts of the same rows used to store duplicates (no key to conflict on). The
duplicates are removed first, keeping the last one written (highest id): the one the latest
rows (`CompetitorLatest`, newest by observed_at then id) already copy. The unique index then
replaces the plain (listing, seller_id, -observed_at) index it makes redundant.
"""

from django.db import migrations, models

DEDUPLICATE = """
DELETE FROM pricing_competitoroffer o
USING pricing_competitoroffer d
WHERE o.listing_id = d.listing_id
  AND o.seller_id = d.seller_id
  AND o.observed_at = d.observed_at
  AND o.id < d.id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("pricing", "0006_marker_price_and_lean_writes"),
    ]

    operations = [
        migrations.RunSQL(DEDUPLICATE, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name="competitoroffer",
            constraint=models.UniqueConstraint(
                fields=("listing", "seller_id", "observed_at"),
                name="competitoroffer_unique_observation",
            ),
        ),
        migrations.RemoveIndex(
            model_name="competitoroffer",
            name="pricing_com_listing_9fcb5c_idx",
        ),
    ]
