"""One version per aspect of a listing (content, price, stock, images), next to `version`.

The listing trigger keeps bumping `version` on any real change, and now also bumps only the
aspect versions whose columns changed: a draft records the version of the aspect it changes
and is superseded only when that aspect moved (a stock sync no longer wipes content drafts).
Existing rows start with every aspect at their current `version`, so the `target_version` of
open drafts (stamped from `version`) stays valid. The product keeps cb_bump_version().
"""

from django.db import migrations, models

ASPECTS = {
    "content": ("title", "bullets", "description", "search_terms"),
    "price": ("price", "currency"),
    "stock": ("stock",),
    "images": ("images",),
}
VERSION_COLUMNS = ("version", *(f"{a}_version" for a in ASPECTS))


def _aspect_steps() -> str:
    steps = []
    for aspect, columns in ASPECTS.items():
        new = ", ".join(f"NEW.{c}" for c in columns)
        old = ", ".join(f"OLD.{c}" for c in columns)
        steps.append(
            f"    IF ROW({new}) IS DISTINCT FROM ROW({old}) THEN\n"
            f"        NEW.{aspect}_version := OLD.{aspect}_version + 1;\n"
            f"    ELSE\n"
            f"        NEW.{aspect}_version := OLD.{aspect}_version;\n"
            f"    END IF;"
        )
    return "\n".join(steps)


_RESET = "\n".join(f"    probe.{c} := OLD.{c};" for c in VERSION_COLUMNS)

FUNCTION = f"""
CREATE OR REPLACE FUNCTION cb_bump_listing_versions() RETURNS trigger AS $$
DECLARE probe record;
BEGIN
    probe := NEW;
    probe.updated_at := OLD.updated_at;
{_RESET}
    IF probe IS DISTINCT FROM OLD THEN
        NEW.version := OLD.version + 1;
    ELSE
        NEW.version := OLD.version;
    END IF;
{_aspect_steps()}
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS catalog_listing_bump_version ON catalog_listing;
CREATE TRIGGER catalog_listing_bump_version BEFORE UPDATE ON catalog_listing
FOR EACH ROW EXECUTE FUNCTION cb_bump_listing_versions();
"""
REVERSE_FUNCTION = """
DROP TRIGGER IF EXISTS catalog_listing_bump_version ON catalog_listing;
CREATE TRIGGER catalog_listing_bump_version BEFORE UPDATE ON catalog_listing
FOR EACH ROW EXECUTE FUNCTION cb_bump_version();
DROP FUNCTION IF EXISTS cb_bump_listing_versions();
"""
# Triggers off while the new columns are filled: the copy is not a change of the listing (no
# version bump, no revision row).
FILL = """
ALTER TABLE catalog_listing DISABLE TRIGGER USER;
UPDATE catalog_listing SET content_version = version, price_version = version,
    stock_version = version, images_version = version;
ALTER TABLE catalog_listing ENABLE TRIGGER USER;
"""


def _field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(default=1, db_default=1, editable=False)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0010_listing_hot_updates")]

    operations = [
        *(
            migrations.AddField(model_name="listing", name=f"{a}_version", field=_field())
            for a in ASPECTS
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunSQL(FUNCTION, REVERSE_FUNCTION),
    ]
