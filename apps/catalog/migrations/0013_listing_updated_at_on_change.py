"""A real change of a listing moves its `updated_at`, whoever writes it.

ERP incremental sync reads `updated_at` (the API's `updated_since`). `save()` sets it, but the
set-based writers did not all: approving a content, price or image draft runs a queryset
`update()` (no auto_now), and any future bulk path could forget it. The version trigger already
knows when a row really changed; it now also stamps `updated_at` with the statement's time when
the writer left it as it was. A writer that sets it itself (the repricer's UPDATE … FROM) keeps
its value; a no-op UPDATE moves nothing.
"""

from django.db import migrations

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


def _function(stamp: bool) -> str:
    touch = (
        "        IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN\n"
        "            NEW.updated_at := statement_timestamp();\n"
        "        END IF;\n"
        if stamp
        else ""
    )
    return f"""
CREATE OR REPLACE FUNCTION cb_bump_listing_versions() RETURNS trigger AS $$
DECLARE probe record;
BEGIN
    probe := NEW;
    probe.updated_at := OLD.updated_at;
{_RESET}
    IF probe IS DISTINCT FROM OLD THEN
        NEW.version := OLD.version + 1;
{touch}    ELSE
        NEW.version := OLD.version;
    END IF;
{_aspect_steps()}
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0012_lean_bulk_indexes")]

    operations = [migrations.RunSQL(_function(True), _function(False))]
