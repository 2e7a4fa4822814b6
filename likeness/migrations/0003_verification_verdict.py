"""Verification attempts get an overall verdict (pass / uncertain / fail) and a "failed badly"
flag; attempts checked before this get their verdict from the old pass/fail flag."""

from typing import Any

from django.db import migrations, models


def backfill(apps: Any, schema_editor: Any) -> None:
    attempt = apps.get_model("likeness", "VerificationAttempt")
    attempt.objects.filter(checks_passed=True).update(verdict="pass")
    attempt.objects.filter(checks_passed=False).update(verdict="fail")


class Migration(migrations.Migration):
    dependencies = [
        ("likeness", "0002_moderator_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="verificationattempt",
            name="checks_severe",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="verificationattempt",
            name="verdict",
            field=models.CharField(
                blank=True,
                choices=[("pass", "Passed"), ("uncertain", "Uncertain"), ("fail", "Failed")],
                db_index=True,
                default="",
                max_length=10,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
