"""Bump `version` on every real change of a product or listing, whoever writes it.

A trigger (not save()) because the repricer and imports write with set-based UPDATEs that never
call save(); drafts rely on the version to detect that their target moved.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION cb_bump_version() RETURNS trigger AS $$
BEGIN
    IF (to_jsonb(NEW) - 'version' - 'updated_at') IS DISTINCT FROM
       (to_jsonb(OLD) - 'version' - 'updated_at') THEN
        NEW.version := OLD.version + 1;
    ELSE
        NEW.version := OLD.version;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

TRIGGER = """
CREATE TRIGGER {table}_bump_version BEFORE UPDATE ON {table}
FOR EACH ROW EXECUTE FUNCTION cb_bump_version();
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS cb_bump_version() CASCADE;"),
        migrations.RunSQL(
            TRIGGER.format(table="catalog_product"),
            "DROP TRIGGER IF EXISTS catalog_product_bump_version ON catalog_product;",
        ),
        migrations.RunSQL(
            TRIGGER.format(table="catalog_listing"),
            "DROP TRIGGER IF EXISTS catalog_listing_bump_version ON catalog_listing;",
        ),
    ]
