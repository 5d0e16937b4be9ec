"""Faster ListingRevision trigger: compare the revisioned columns directly instead of turning
both whole rows into JSON once per field (the repricer's bulk UPDATEs pay for every row)."""

from django.db import migrations

FIELDS = ("title", "bullets", "description", "search_terms", "price", "currency", "images")


def _changes() -> str:
    parts = [
        f"CASE WHEN o.{f} IS DISTINCT FROM n.{f} THEN jsonb_build_object('{f}', "
        f"jsonb_build_array(to_jsonb(o.{f}), to_jsonb(n.{f}))) ELSE '{{}}'::jsonb END"
        for f in FIELDS
    ]
    return "\n        || ".join(parts)


def _any_change() -> str:
    return " OR ".join(f"o.{f} IS DISTINCT FROM n.{f}" for f in FIELDS)


REVISION_FUNCTION = f"""
CREATE OR REPLACE FUNCTION cb_listing_revision() RETURNS trigger AS $$
BEGIN
    INSERT INTO catalog_listingrevision
        (organization_id, listing_id, version, changes, actor_id, source, created_at, updated_at)
    SELECT n.organization_id, n.id, n.version,
        {_changes()},
        NULLIF(current_setting('crossborder.actor_id', true), '')::integer,
        COALESCE(NULLIF(current_setting('crossborder.change_source', true), ''), 'database'),
        now(), now()
    FROM cb_new_rows n
    JOIN cb_old_rows o ON o.id = n.id
    WHERE {_any_change()};
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_protected_terms")]

    operations = [migrations.RunSQL(REVISION_FUNCTION, migrations.RunSQL.noop)]
