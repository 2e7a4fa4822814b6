"""API tokens made before hashing were stored in clear (DRF's authtoken table): move each one
into ApiToken as its SHA-256 digest (so clients keep working until it expires) and delete the
clear copy."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def hash_clear_tokens(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("accounts", "ApiToken")
    days = getattr(settings, "API_TOKEN_TTL_DAYS", 90)
    expires = timezone.now() + timedelta(days=days) if days else None
    for token in Token.objects.all().iterator():
        ApiToken.objects.get_or_create(
            digest=hashlib.sha256(token.key.encode()).hexdigest(),
            defaults={"user_id": token.user_id, "name": "API token (before hashing)",
                      "prefix": token.key[:6], "expires_at": expires},
        )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_account_lifecycle"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(hash_clear_tokens, migrations.RunPython.noop)]
