"""Organization.kind becomes Organization.type ("kind" named six different things).

The exchange format, the API and the CSV export keep the key "kind"; the table stays.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_organization_verified_help_text")]

    operations = [
        migrations.RemoveIndex(model_name="organization", name="accounts_or_kind_868824_idx"),
        migrations.RenameField(model_name="organization", old_name="kind", new_name="type"),
        migrations.AlterField(
            model_name="organization",
            name="type",
            field=models.CharField(
                choices=[
                    ("university", "University"),
                    ("research_institute", "Public research institute"),
                    ("company", "Company"),
                    ("startup", "Start-up"),
                    ("government", "Government"),
                    ("other", "Other"),
                ],
                max_length=32,
                verbose_name="type",
            ),
        ),
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(fields=["type"], name="accounts_or_type_b41862_idx"),
        ),
    ]
