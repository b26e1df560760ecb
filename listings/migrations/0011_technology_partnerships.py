"""Technology.offers becomes Technology.partnerships: needs already call the same choices so.

The column, its GIN index and its check constraint follow the name; the table stays. The
exchange format, the API and the CSV export keep the key "offers".
"""

import django.contrib.postgres.fields
from django.contrib.postgres.indexes import GinIndex
from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [("listings", "0010_moderation_event_action_length")]

    operations = [
        migrations.RemoveConstraint(model_name="technology", name="technology_offers_not_empty"),
        migrations.RenameField(model_name="technology", old_name="offers", new_name="partnerships"),
        migrations.AlterField(
            model_name="technology",
            name="partnerships",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(
                    choices=[
                        ("exclusive_licence", "Exclusive licence"),
                        ("non_exclusive_licence", "Non-exclusive licence"),
                        ("assignment", "Assignment or sale"),
                        ("joint_development", "Joint development or research collaboration"),
                        ("joint_venture", "Joint venture"),
                        ("technical_assistance", "Technical assistance"),
                    ],
                    max_length=30,
                ),
                size=None,
                verbose_name="partnerships offered",
            ),
        ),
        # The index is renamed in place (not rebuilt); the state records its new field name.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RenameIndex(
                    model_name="technology",
                    new_name="technology_partnerships_gin",
                    old_name="technology_offers_gin",
                )
            ],
            state_operations=[
                migrations.RemoveIndex(model_name="technology", name="technology_offers_gin"),
                migrations.AddIndex(
                    model_name="technology",
                    index=GinIndex(fields=["partnerships"], name="technology_partnerships_gin"),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="technology",
            constraint=models.CheckConstraint(
                condition=~Q(partnerships=[]), name="technology_partnerships_not_empty"
            ),
        ),
    ]
