"""On PostgreSQL, post_recent_idx also carries author_id and is_hidden (INCLUDE), so the feed's id query is an
index-only scan that filters followees without touching the table (bench/feed.py: ~2 ms instead of ~12 ms with
1M posts). Same key columns and name as in the model state, so Django's view of the schema does not change."""

from django.db import migrations

COVERING = (
    "DROP INDEX IF EXISTS post_recent_idx; "
    "CREATE INDEX post_recent_idx ON social_post (created_at DESC, id DESC) INCLUDE (author_id, is_hidden);"
)
PLAIN = (
    "DROP INDEX IF EXISTS post_recent_idx; "
    "CREATE INDEX post_recent_idx ON social_post (created_at DESC, id DESC);"
)


def _run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):

    dependencies = [
        ("social", "0005_groupbuy_creator_set_null"),
    ]

    operations = [migrations.RunPython(_run(COVERING), _run(PLAIN))]
