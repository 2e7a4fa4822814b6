"""Moderators work the flagged-output queue (and nobody else sees held clips)."""

from django.db import migrations

PERMISSIONS = [
    ("moderation", "view_flaggedoutput"),
    ("moderation", "change_flaggedoutput"),
    ("moderation", "view_flaggedframe"),
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Moderators")
    for app_label, codename in PERMISSIONS:
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is not None:
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("feed", "0004_moderators_group"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
