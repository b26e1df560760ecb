from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF_GROUP = "JPO staff"
CODENAMES = ["moderate_listing", "view_technology", "change_technology", "view_moderationevent"]


def grant(apps, schema_editor):
    # Permissions are normally created after migrations; create them now to attach them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="listings", codename__in=CODENAMES))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=STAFF_GROUP).first()
    if group:
        group.permissions.remove(*group.permissions.filter(content_type__app_label="listings"))


class Migration(migrations.Migration):
    dependencies = [("listings", "0003_load_taxonomy"), ("accounts", "0002_staff_group")]
    operations = [migrations.RunPython(grant, revoke)]
