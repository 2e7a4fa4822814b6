"""The shipped default policy: categories, rules and rights holders (generation/policy_default.py).

Idempotent: it creates what is missing by key and never overwrites a row a moderator edited;
`manage.py policy_install_default` runs the same code after an upgrade adds new rules."""

from django.db import migrations

from generation.policy_default import default_policy_install


def install(apps, schema_editor):
    default_policy_install(apps)


class Migration(migrations.Migration):
    dependencies = [("generation", "0006_policy_rules")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
