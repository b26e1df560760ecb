"""Compact postings (issue 18): no surrogate id, small types, the primary key as the one
impact-ordered access path. Postings are derived data: the table is recreated empty, and
`manage.py matching_rebuild` fills it (and prunes each listing's low-weight tail)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0003_representation"),
    ]

    operations = [
        migrations.DeleteModel(name="Posting"),
        migrations.AlterField(
            model_name="term",
            name="id",
            field=models.AutoField(primary_key=True, serialize=False),
        ),
        migrations.CreateModel(
            name="Posting",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "term_id", "kind", "weight", "listing_id", blank=True, editable=False,
                        primary_key=True, serialize=False,
                    ),
                ),
                (
                    "term",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="matching.term",
                    ),
                ),
                ("kind", models.SmallIntegerField(choices=[(1, "technology"), (2, "need")])),
                ("weight", models.SmallIntegerField()),
                ("listing_id", models.IntegerField()),
            ],
        ),
    ]
