"""A column per language for catalogue content; what exists today is the English text."""

from django.db import migrations, models
from django.db.models import F


def copy_to_english(apps, schema_editor):
    """The text written so far is English: it becomes the `_en` column, the fallback of every language."""
    apps.get_model("support", "HelpCategory").objects.update(name_en=F("name"))
    apps.get_model("support", "HelpArticle").objects.update(title_en=F("title"), body_en=F("body"))


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0002_chat"),
    ]

    operations = [
        migrations.AddField(
            model_name="helparticle",
            name="body_en",
            field=models.TextField(null=True, verbose_name="body (markdown)"),
        ),
        migrations.AddField(
            model_name="helparticle",
            name="body_zh_hans",
            field=models.TextField(null=True, verbose_name="body (markdown)"),
        ),
        migrations.AddField(
            model_name="helparticle",
            name="title_en",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="helparticle",
            name="title_zh_hans",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="helpcategory",
            name="name_en",
            field=models.CharField(max_length=120, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="helpcategory",
            name="name_zh_hans",
            field=models.CharField(max_length=120, null=True, verbose_name="name"),
        ),
        migrations.RunPython(copy_to_english, migrations.RunPython.noop),
    ]
