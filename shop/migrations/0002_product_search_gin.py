"""GIN index on Product.search_vector for full-text search. PostgreSQL only: SQLite has no GIN (and no
tsvector), so the operation checks the connection's vendor and does nothing elsewhere."""

from django.db import migrations


def create_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS shop_product_search_vector_gin "
        "ON shop_product USING GIN (search_vector)"
    )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS shop_product_search_vector_gin")


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [migrations.RunPython(create_gin_index, drop_gin_index)]
