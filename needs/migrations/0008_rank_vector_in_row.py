"""Keep the rank vector in the row (STORAGE MAIN): see listings 0012."""

from django.db import migrations

from lib.schema import set_storage


class Migration(migrations.Migration):
    dependencies = [("needs", "0007_public_search_index")]

    operations = [set_storage("needs_need", "rank_vector", "MAIN")]
