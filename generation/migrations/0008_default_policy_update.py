"""The default policy's second release: new rules created, shipped rules and rights holders a
moderator never edited brought to the new content (generation/policy_releases.py)."""

from django.db import migrations

from generation.policy_default import default_policy_upgrade
from generation.policy_releases import previous_fingerprints


def upgrade(apps, schema_editor):
    default_policy_upgrade(apps, previous=previous_fingerprints())


class Migration(migrations.Migration):
    dependencies = [("generation", "0007_default_policy")]

    operations = [migrations.RunPython(upgrade, migrations.RunPython.noop)]
