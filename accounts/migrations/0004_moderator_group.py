"""The moderators' group is named for the role the code and the pages call it by."""

from django.db import migrations

OLD_NAME, NEW_NAME = "JPO staff", "JPO moderators"


def rename(old, new):
    def run(apps, schema_editor):
        apps.get_model("auth", "Group").objects.filter(name=old).update(name=new)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_language"),
        # The group gets its permissions under the old name first.
        ("listings", "0004_staff_permissions"),
    ]
    operations = [migrations.RunPython(rename(OLD_NAME, NEW_NAME), rename(NEW_NAME, OLD_NAME))]
