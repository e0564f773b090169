"""Ensure the `moderators` group exists, with the permissions on the moderation and group-buy models."""

from django.db import migrations

MODERATOR_PERMISSIONS = {
    "report": ["view", "change"],
    "moderationaction": ["view"],
    "groupbuy": ["view"],
    "groupbuymember": ["view"],
}


def create_moderators_group(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create them now so the group can
    # hold them on a fresh database.
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("social")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="moderators")
    codenames = [
        f"{verb}_{model}" for model, verbs in MODERATOR_PERMISSIONS.items() for verb in verbs
    ]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="social", codename__in=codenames)
    )


def remove_moderators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="moderators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("social", "0002_groupbuy_moderation"),
    ]

    operations = [migrations.RunPython(create_moderators_group, remove_moderators_group)]
