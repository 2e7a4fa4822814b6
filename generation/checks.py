"""System checks for generation: with DEBUG off, every host must sign clips with the one C2PA
chain the deployment configured (a per-host development chain would make `/check/` on one host
call another host's clips "not Reverie")."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from generation.provenance import _credentials

HINT = (
    "Make one chain for the whole deployment, once: `python manage.py make_c2pa_chain --out "
    "/etc/reverie/c2pa` (keep key.pem secret), copy both files to every web and worker host, and "
    "set C2PA_SIGN_CERT=/etc/reverie/c2pa/chain.pem and C2PA_PRIVATE_KEY=/etc/reverie/c2pa/key.pem "
    "everywhere. Or give a chain from your own CA (PEM, leaf first) and its key."
)


@register(Tags.security)
def c2pa_chain_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return []
    if not settings.C2PA_SIGN_CERT or not settings.C2PA_PRIVATE_KEY:
        return [
            Error(
                "No C2PA signing chain is configured (C2PA_SIGN_CERT and C2PA_PRIVATE_KEY): each "
                "host would sign clips with its own development chain, and provenance checks on "
                "one host would not trust clips signed by another.",
                hint=HINT,
                id="generation.E001",
            )
        ]
    try:
        _credentials()
    except ImproperlyConfigured as exc:
        return [
            Error(f"The C2PA signing chain is unusable: {exc}", hint=HINT, id="generation.E002")
        ]
    return []
