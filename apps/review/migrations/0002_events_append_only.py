"""ReviewEvent is an audit log: the database refuses to rewrite it."""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION cb_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER review_reviewevent_append_only BEFORE UPDATE ON review_reviewevent
FOR EACH ROW EXECUTE FUNCTION cb_refuse_update();
"""
REVERSE = """
DROP TRIGGER IF EXISTS review_reviewevent_append_only ON review_reviewevent;
DROP FUNCTION IF EXISTS cb_refuse_update();
"""


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
