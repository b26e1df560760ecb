from django.db import migrations


def forwards(apps, schema_editor):
    import importlib

    module = importlib.import_module("listings.migrations.0007_fill_rank_vector")
    module.fill(apps.get_model("needs", "Need"), ("keywords",))


class Migration(migrations.Migration):
    dependencies = [("needs", "0004_rank_vector"), ("listings", "0007_fill_rank_vector")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
