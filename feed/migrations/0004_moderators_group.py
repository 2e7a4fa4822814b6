"""The Moderators group: staff in it work the reports queue, policy and registry in the admin
without being superusers."""

from django.db import migrations

MODERATOR_PERMISSIONS = [
    ("feed", "view_video"),
    ("feed", "change_video"),
    ("feed", "view_reportedvideo"),
    ("feed", "change_reportedvideo"),
    ("feed", "view_report"),
    ("feed", "view_comment"),
    ("feed", "delete_comment"),
    ("feed", "view_moderationaction"),
    ("feed", "add_moderationaction"),
    ("accounts", "view_user"),
    ("generation", "view_generationjob"),
    ("generation", "view_policyterm"),
    ("generation", "add_policyterm"),
    ("generation", "change_policyterm"),
    ("generation", "delete_policyterm"),
    ("generation", "view_rightsholder"),
    ("generation", "add_rightsholder"),
    ("generation", "change_rightsholder"),
]


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Moderators")
    for app_label, codename in MODERATOR_PERMISSIONS:
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is not None:
            group.permissions.add(permission)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Moderators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("feed", "0003_reportedvideo_report_outcome_moderationaction"),
        ("accounts", "0004_notification_text_user_banned_at_user_warning_count_and_more"),
        ("generation", "0003_rightsholder_generationjob_blocked_reason_code_and_more"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
