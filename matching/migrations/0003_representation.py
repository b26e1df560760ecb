"""Profile is renamed Representation (issue 13: one word for the stored representation).

State only: the table keeps its name. Pinning the table name first makes the rename a no-op in
the database (``sqlmigrate matching 0003`` prints no statement)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0002_impact_ordered_postings"),
    ]

    operations = [
        migrations.AlterModelTable(name="profile", table="matching_profile"),
        migrations.RenameModel(old_name="Profile", new_name="Representation"),
    ]
