"""Drafts carry their kind's uniqueness key; one open draft per (target, kind, key)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("review", "0003_policy_run")]

    operations = [
        migrations.AddField(
            model_name="draft",
            name="unique_key",
            field=models.CharField(blank=True, db_default="", default="", max_length=200),
        ),
        migrations.RemoveConstraint(model_name="draft", name="draft_one_open_per_target_kind"),
        migrations.AddConstraint(
            model_name="draft",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["pending", "approved"])),
                fields=("target_type", "target_id", "kind", "unique_key"),
                name="draft_one_open_per_target_kind_key",
            ),
        ),
    ]
