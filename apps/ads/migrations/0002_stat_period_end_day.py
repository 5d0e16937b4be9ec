"""A stat row's period: `end_day` (= `day` for daily reports, the report's end for summaries)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ads", "0001_campaign_tree_and_search_term_stats")]

    operations = [
        migrations.AddField(
            model_name="searchtermstat", name="end_day", field=models.DateField(null=True)
        ),
        migrations.AddField(
            model_name="targetstat", name="end_day", field=models.DateField(null=True)
        ),
        migrations.RunSQL(
            "UPDATE ads_searchtermstat SET end_day = day WHERE end_day IS NULL; "
            "UPDATE ads_targetstat SET end_day = day WHERE end_day IS NULL;",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="searchtermstat", name="end_day", field=models.DateField()
        ),
        migrations.AlterField(model_name="targetstat", name="end_day", field=models.DateField()),
    ]
