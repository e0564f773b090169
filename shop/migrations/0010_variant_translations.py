"""A column per language for attribute names, values and variant names; what exists is English."""

from django.db import migrations, models
from django.db.models import F


def copy_to_english(apps, schema_editor):
    apps.get_model("shop", "Attribute").objects.update(name_en=F("name"))
    apps.get_model("shop", "AttributeValue").objects.update(value_en=F("value"))
    apps.get_model("shop", "ProductVariant").objects.update(name_en=F("name"))


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0009_variants"),
    ]

    operations = [
        migrations.AddField(
            model_name="attribute",
            name="name_en",
            field=models.CharField(max_length=60, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="attribute",
            name="name_zh_hans",
            field=models.CharField(max_length=60, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="attributevalue",
            name="value_en",
            field=models.CharField(max_length=60, null=True, verbose_name="value"),
        ),
        migrations.AddField(
            model_name="attributevalue",
            name="value_zh_hans",
            field=models.CharField(max_length=60, null=True, verbose_name="value"),
        ),
        migrations.AddField(
            model_name="productvariant",
            name="name_en",
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="productvariant",
            name="name_zh_hans",
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name="name"),
        ),
        migrations.RunPython(copy_to_english, migrations.RunPython.noop),
    ]
