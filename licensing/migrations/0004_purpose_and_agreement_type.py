"""LicenceRequest.kind becomes purpose and Agreement.kind becomes type ("kind" named six
different things). The check constraints that read the field are rebuilt; tables stay."""

from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [("licensing", "0003_feedback_attachments_agreements")]

    operations = [
        migrations.RemoveConstraint(model_name="licencerequest", name="licence_request_one_subject"),
        migrations.RemoveConstraint(
            model_name="licencerequest", name="licence_request_offer_only_in_proposal"
        ),
        migrations.RenameField(model_name="licencerequest", old_name="kind", new_name="purpose"),
        migrations.RenameField(model_name="agreement", old_name="kind", new_name="type"),
        migrations.AlterField(
            model_name="agreement",
            name="type",
            field=models.CharField(
                choices=[
                    ("licence", "Licence"),
                    ("option", "Option"),
                    ("joint_development", "Joint development"),
                    ("assignment", "Assignment"),
                    ("other", "Other"),
                ],
                max_length=30,
                verbose_name="type of agreement",
            ),
        ),
        migrations.AlterField(
            model_name="licencerequest",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("licence", "Licence"),
                    ("research_collaboration", "Research collaboration"),
                    ("more_information", "More information"),
                    ("proposal", "Proposed solution"),
                ],
                max_length=30,
                verbose_name="purpose",
            ),
        ),
        migrations.AddConstraint(
            model_name="licencerequest",
            constraint=models.CheckConstraint(
                condition=Q(purpose="proposal", need__isnull=False, technology__isnull=True)
                | (~Q(purpose="proposal") & Q(technology__isnull=False, need__isnull=True)),
                name="licence_request_one_subject",
            ),
        ),
        migrations.AddConstraint(
            model_name="licencerequest",
            constraint=models.CheckConstraint(
                condition=Q(purpose="proposal") | Q(proposed_technology__isnull=True, capability=""),
                name="licence_request_offer_only_in_proposal",
            ),
        ),
    ]
