"""A column per language for catalogue content; what exists today is the English text."""

from django.db import migrations, models
from django.db.models import F


def copy_to_english(apps, schema_editor):
    """The text written so far is English: it becomes the `_en` column, the fallback of every language."""
    apps.get_model("shop", "Category").objects.update(
        name_en=F("name"), description_en=F("description")
    )
    apps.get_model("shop", "Product").objects.update(
        name_en=F("name"), description_en=F("description")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0004_user_language_emaillog"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="description_en",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="category",
            name="description_zh_hans",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="category",
            name="name_en",
            field=models.CharField(max_length=120, null=True),
        ),
        migrations.AddField(
            model_name="category",
            name="name_zh_hans",
            field=models.CharField(max_length=120, null=True),
        ),
        migrations.AddField(
            model_name="product",
            name="description_en",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="product",
            name="description_zh_hans",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="product",
            name="name_en",
            field=models.CharField(max_length=200, null=True),
        ),
        migrations.AddField(
            model_name="product",
            name="name_zh_hans",
            field=models.CharField(max_length=200, null=True),
        ),
        migrations.RunPython(copy_to_english, migrations.RunPython.noop),
    ]
