from django.db import migrations, models


class Migration(migrations.Migration):
    """Model artefacts move to Django's storage API, named by content hash: the column holds a storage name
    instead of a filesystem path, and the pairs a version trained on get their own name."""

    dependencies = [("recsys", "0002_import_external_ids")]

    operations = [
        migrations.RenameField(
            model_name="modelversion", old_name="artifact_path", new_name="artifact_name"
        ),
        migrations.AlterField(
            model_name="modelversion",
            name="artifact_name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="modelversion",
            name="pairs_name",
            field=models.CharField(blank=True, max_length=200),
        ),
    ]
