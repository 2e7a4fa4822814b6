"""Cameo owners hear about refused attempts: a prompt refused by the cameo's permission setting
is recorded and told to the owner (who tried, when), grouped — at most one notice per attempter
per hour, the next one counting the attempts in between."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db.models import F
from rest_framework.test import APIClient

from accounts.models import Notification, NotificationKind
from generation.models import GenerationJob
from likeness.models import Cameo, CameoRefusedAttempt
from tests.factories import UserFactory

URL = "/api/v1/generations"


def _try(user: Any, handle: str) -> Any:
    client = APIClient()
    client.force_authenticate(user)
    return client.post(URL, {"prompt": f"@{handle} juggling", "seconds": 1}, format="json")


def _notices(owner: Any) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=owner, kind=NotificationKind.CAMEO).order_by("id")
    )


@pytest.mark.django_db
def test_refused_attempts_are_told_once_per_attempter_per_hour() -> None:
    owner, eve, mallory = UserFactory(), UserFactory(), UserFactory()
    cameo = Cameo.objects.create(owner=owner, handle=owner.username, status="approved",
                                 permission="only_me")  # fmt: skip
    for _ in range(3):
        response = _try(eve, owner.username)
        assert response.status_code == 403 and response.json()["code"] == "cameo_not_allowed"
    assert not GenerationJob.objects.exists()  # nothing made or charged
    assert CameoRefusedAttempt.objects.filter(cameo=cameo, requester=eve).count() == 3
    [notice] = _notices(owner)
    assert notice.actor == eve  # who
    assert f"@{eve.username}" in notice.text and f"@{cameo.handle}" in notice.text
    assert "UTC" in notice.text  # when

    # Another person is another group.
    assert _try(mallory, owner.username).status_code == 403
    assert [n.actor for n in _notices(owner)] == [eve, mallory]

    # An hour later the next attempt is told, counting the two folded in meanwhile.
    CameoRefusedAttempt.objects.filter(requester=eve).update(
        created_at=F("created_at") - timedelta(minutes=61)
    )
    assert _try(eve, owner.username).status_code == 403
    notices = _notices(owner)
    assert len(notices) == 3 and notices[-1].actor == eve
    assert "3 times" in notices[-1].text


@pytest.mark.django_db
def test_only_permission_refusals_are_recorded() -> None:
    owner, friend = UserFactory(), UserFactory()
    Cameo.objects.create(owner=owner, handle=owner.username, status="approved",
                         permission="everyone")  # fmt: skip
    assert _try(friend, owner.username).status_code == 201  # allowed: a usage, not a refusal
    revoked_owner = UserFactory()
    Cameo.objects.create(owner=revoked_owner, handle=revoked_owner.username, status="revoked")
    assert _try(friend, revoked_owner.username).status_code == 403
    assert not CameoRefusedAttempt.objects.exists()
    assert not Notification.objects.filter(recipient=revoked_owner).exists()
