import json
from pathlib import Path

from django.db import migrations

TAXONOMY = Path(__file__).resolve().parent.parent / "data" / "taxonomy.json"


def load(apps, schema_editor):
    Field = apps.get_model("listings", "Field")
    rows = json.loads(TAXONOMY.read_text(encoding="utf-8"))["fields"]
    by_slug = {}
    for position, row in enumerate(rows):
        field, _ = Field.objects.update_or_create(
            slug=row["slug"],
            defaults={"name_en": row["name_en"], "name_ja": row["name_ja"], "position": position},
        )
        by_slug[row["slug"]] = (field, row["parent"])
    for field, parent in by_slug.values():
        if parent:
            field.parent = by_slug[parent][0]
            field.save(update_fields=["parent"])


def unload(apps, schema_editor):
    apps.get_model("listings", "Field").objects.filter(parent__isnull=False).delete()
    apps.get_model("listings", "Field").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("listings", "0002_extensions")]
    operations = [migrations.RunPython(load, unload)]
