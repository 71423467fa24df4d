"""Rectifications are a source of their own (RectificationEvent). The rollup is derived data: it is
emptied, so the next refresh folds every history again under the new rules (the ratings' old
rectification contributions would otherwise stay, their fingerprints unchanged)."""

from django.db import migrations, models


def empty_rollup(apps, schema_editor):
    for name in ("RollupCell", "Contribution", "SubjectMark", "RollupCursor"):
        apps.get_model("dashboards", name).objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('dashboards', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='contribution',
            name='source',
            field=models.CharField(choices=[('case', '办件'), ('evaluation', '好差评'), ('rectification', '差评整改'), ('request', '12345工单'), ('bundle', '一件事')], max_length=16),
        ),
        migrations.AlterField(
            model_name='rollupcursor',
            name='source',
            field=models.CharField(choices=[('case', '办件'), ('evaluation', '好差评'), ('rectification', '差评整改'), ('request', '12345工单'), ('bundle', '一件事')], max_length=16, primary_key=True, serialize=False),
        ),
        migrations.AlterField(
            model_name='subjectmark',
            name='source',
            field=models.CharField(choices=[('case', '办件'), ('evaluation', '好差评'), ('rectification', '差评整改'), ('request', '12345工单'), ('bundle', '一件事')], max_length=16),
        ),
        migrations.RunPython(empty_rollup, migrations.RunPython.noop),
    ]
