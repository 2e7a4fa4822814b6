"""The moderator's cameo review in the admin: uncertain first, each check's verdict and
evidence, a red warning when checks failed badly, and no approval of those without a reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from likeness.models import Cameo, CameoStatus, VerificationAttempt, VerificationStatus
from tests.factories import UserFactory

URL = "/admin/likeness/verificationattempt/"


def _checks(verdict: str, *, severe: bool = False) -> dict[str, Any]:
    """Stored checks as the worker writes them (see likeness.verification.CheckReport)."""
    numbers = {
        "pass": ("pass", "We heard 12, 47, 83, as asked."),
        "uncertain": ("uncertain", "We heard 12, 47 — not 83: please read all three numbers."),
        "fail": ("fail", "The recording has no sound: allow the microphone."),
    }[verdict]
    face = 0.0 if severe else 0.95
    return {
        "verdict": verdict,
        "severe": severe,
        "checks": {
            "face_present": {
                "passed": not severe, "verdict": "fail" if severe else "pass", "severe": severe,
                "value": face, "detail": f"A face was visible in {face:.0%} of the clip.",
            },
            "numbers_heard": {
                "passed": numbers[0] == "pass", "verdict": numbers[0], "severe": False,
                "value": 2, "detail": numbers[1],
            },
        },
        "evidence": {
            "audio": "sound", "audio_level_dbfs": -22.0,
            "numbers": [{"value": 12, "start": 0.6, "end": 1.3, "confidence": 0.81},
                        {"value": 47, "start": 1.5, "end": 2.2, "confidence": 0.4}],
            "timeline": [[0.2, 1, "c"], [0.9, 1, "c"], [3.1, 0 if severe else 1, "l"]],
        },
    }  # fmt: skip


def _attempt(verdict: str, *, severe: bool = False, minutes_ago: int = 0) -> VerificationAttempt:
    owner = UserFactory()
    cameo = Cameo.objects.create(owner=owner, handle=owner.username,
                                 status=CameoStatus.PENDING_REVIEW)  # fmt: skip
    return VerificationAttempt.objects.create(
        cameo=cameo, challenge={"numbers": [12, 47, 83], "turns": ["left", "right"]},
        status=VerificationStatus.PENDING_REVIEW, checks=_checks(verdict, severe=severe),
        checks_passed=verdict == "pass", verdict=verdict, checks_severe=severe,
        uploaded_at=timezone.now() - timezone.timedelta(minutes=minutes_ago),
        checked_at=timezone.now(),
    )  # fmt: skip


@pytest.fixture
def moderator_client(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_queue_puts_uncertain_first_then_failed_then_passed(
    moderator_client: Client,
) -> None:
    passed = _attempt("pass", minutes_ago=30)
    failed = _attempt("fail", minutes_ago=20)
    uncertain = _attempt("uncertain", minutes_ago=10)
    done = _attempt("uncertain", minutes_ago=40)
    VerificationAttempt.objects.filter(pk=done.pk).update(status=VerificationStatus.APPROVED)
    page = moderator_client.get(URL).content.decode()
    rows = [page.index(f"/{a.pk}/change/") for a in (uncertain, failed, passed, done)]
    assert rows == sorted(rows)
    assert 'class="verdict verdict-uncertain"' in page


def test_the_queue_costs_the_same_queries_for_1_and_20(
    moderator_client: Client, django_assert_max_num_queries: Any
) -> None:
    _attempt("pass")
    moderator_client.get(URL)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert moderator_client.get(URL).status_code == 200
    for index in range(19):
        _attempt(("pass", "fail", "uncertain")[index % 3])
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert moderator_client.get(URL).status_code == 200


def test_a_badly_failed_recording_shows_a_red_warning_and_needs_a_reason(
    moderator_client: Client,
) -> None:
    attempt = _attempt("fail", severe=True)
    page = moderator_client.get(f"{URL}{attempt.pk}/change/").content.decode()
    assert 'class="review-warning" role="alert"' in page
    assert "Checks failed badly." in page and "A face was visible in 0% of the clip." in page
    assert "css/cameo_review.css" in page  # the red comes from a stylesheet (CSP-clean)
    assert 'class="review-timeline"' in page and 'class="noface"' in page  # face over time
    assert "81 %" in page  # a heard number's confidence

    form = {"action": "approve", "_selected_action": [attempt.pk], "note": ""}
    response = moderator_client.post(URL, form, follow=True)
    assert "type the reason for approving anyway" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == VerificationStatus.PENDING_REVIEW

    form["note"] = "Known creator; verified on a video call."
    moderator_client.post(URL, form, follow=True)
    attempt.refresh_from_db()
    assert attempt.status == VerificationStatus.APPROVED
    assert attempt.review_note == "Known creator; verified on a video call."
    assert Cameo.objects.get(pk=attempt.cameo_id).status == CameoStatus.APPROVED


def test_a_recording_that_failed_mildly_is_approved_without_a_reason(
    moderator_client: Client,
) -> None:
    attempt = _attempt("uncertain")
    page = moderator_client.get(f"{URL}{attempt.pk}/change/").content.decode()
    assert "review-warning" not in page
    moderator_client.post(URL, {"action": "approve", "_selected_action": [attempt.pk]})
    attempt.refresh_from_db()
    assert attempt.status == VerificationStatus.APPROVED
