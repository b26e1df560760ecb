from django.contrib.postgres.search import SearchVector
from django.db import migrations
from django.db.models import Value

from listings.search import SEARCH_CONFIG, index_text


def rank_text_parts(row, b_parts):
    b_text = " ".join(
        " ".join(value) if isinstance(value, list) else (value or "")
        for value in (getattr(row, name) for name in b_parts)
    )
    return index_text(row.title), index_text(b_text)


def fill(model, b_parts):
    for row in model.objects.only("pk", "title", *b_parts).iterator(chunk_size=500):
        a, b = rank_text_parts(row, b_parts)
        vector = SearchVector(Value(a), config=SEARCH_CONFIG, weight="A") + SearchVector(
            Value(b), config=SEARCH_CONFIG, weight="B"
        )
        model.objects.filter(pk=row.pk).update(rank_vector=vector)


def forwards(apps, schema_editor):
    fill(apps.get_model("listings", "Technology"), ("keywords", "summary"))


class Migration(migrations.Migration):
    dependencies = [("listings", "0006_rank_vector")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
