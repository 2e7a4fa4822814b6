"""Cameos: the permission matrix enforced at submit; every use recorded and told to the owner at
once (stored and over the websocket), drafts included; the owner watches and deletes other
people's drafts; revoke blocks the next use; at most three per clip; preferences are policed."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Follow, Notification, NotificationKind
from accounts.services import user_group_name
from config.storage import private_storage
from feed.models import VideoStatus
from feed.services import video_publish
from generation import services
from generation.models import GenerationJob, PolicyTerm
from likeness.models import Cameo, CameoApproval, CameoUsage
from tests.factories import UserFactory

URL = "/api/v1/generations"


def _cameo(owner: Any, permission: str = "everyone", **fields: Any) -> Cameo:
    return Cameo.objects.create(owner=owner, handle=owner.username, status="approved",
                                permission=permission, **fields)  # fmt: skip


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


RELATIONS = ["owner", "stranger", "approved", "mutual", "one_way_follower"]
EXPECTED = {
    "only_me": {"owner"},
    "approved": {"owner", "approved"},
    "mutuals": {"owner", "mutual"},
    "everyone": {"owner", "stranger", "approved", "mutual", "one_way_follower"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("level", list(EXPECTED))
@pytest.mark.parametrize("relation", RELATIONS)
def test_the_permission_matrix_is_enforced_at_submit(
    level: str, relation: str, django_capture_on_commit_callbacks: Any
) -> None:
    owner = UserFactory()
    cameo = _cameo(owner, permission=level)
    requester = owner if relation == "owner" else UserFactory()
    if relation == "approved":
        CameoApproval.objects.create(cameo=cameo, user=requester)
    if relation == "mutual":
        Follow.objects.create(follower=requester, followee=owner)
        Follow.objects.create(follower=owner, followee=requester)
    if relation == "one_way_follower":
        Follow.objects.create(follower=requester, followee=owner)
    with django_capture_on_commit_callbacks() as callbacks:
        response = _client(requester).post(
            URL, {"prompt": f"@{owner.username} surfing a wave", "seconds": 2}, format="json"
        )
    if relation in EXPECTED[level]:
        assert response.status_code == 201, response.content
        assert CameoUsage.objects.filter(cameo=cameo, requester=requester).count() == 1
    else:
        assert response.status_code == 403
        body = response.json()
        assert body["code"] == "cameo_not_allowed"
        assert f"@{owner.username}" in body["detail"]
        assert GenerationJob.objects.count() == 0
        # Nothing enqueued; the only side effect is the owner's notice of the refused attempt.
        assert [cb.__qualname__ for cb in callbacks] == ["notify.<locals>.push"]
        assert not CameoUsage.objects.exists()


@pytest.mark.django_db
def test_unverified_and_revoked_cameos_are_refused() -> None:
    owner, requester = UserFactory(), UserFactory()
    cameo = Cameo.objects.create(owner=owner, handle=owner.username, permission="everyone")
    prompt = {"prompt": f"@{owner.username} dancing", "seconds": 2}
    assert _client(requester).post(URL, prompt, format="json").status_code == 403
    cameo.status = "approved"
    cameo.save()
    assert _client(requester).post(URL, prompt, format="json").status_code == 201
    _client(owner).post(f"/api/v1/cameos/{cameo.pk}/revoke", {}, format="json")
    refused = _client(requester).post(URL, prompt, format="json")
    assert refused.status_code == 403 and "revoked" in refused.json()["detail"]


@pytest.mark.django_db
def test_at_most_three_cameos_per_clip() -> None:
    owners = [UserFactory() for _ in range(4)]
    for owner in owners:
        _cameo(owner)
    prompt = " and ".join(f"@{o.username}" for o in owners) + " at a party"
    response = _client(UserFactory()).post(URL, {"prompt": prompt, "seconds": 2}, format="json")
    assert response.status_code == 400
    assert "at most 3 cameos" in response.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_a_use_in_a_draft_notifies_the_owner_stored_and_live() -> None:
    owner, requester = UserFactory(), UserFactory()
    _cameo(owner)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group_name(owner.pk), channel)
    response = _client(requester).post(
        URL, {"prompt": f"@{owner.username} on the moon", "seconds": 2}, format="json"
    )
    assert response.status_code == 201
    stored = Notification.objects.get(recipient=owner, kind=NotificationKind.CAMEO_USED)
    assert stored.actor == requester
    assert f"@{requester.username} used your cameo @{owner.username}" in stored.text
    message = async_to_sync(layer.receive)(channel)
    assert message["event"]["type"] == "notification"
    assert message["event"]["kind"] == "cameo_used"
    assert f"used your cameo @{owner.username}" in message["event"]["text"]


@pytest.mark.django_db
def test_the_owner_watches_and_deletes_someone_elses_draft(media_dirs: Any) -> None:
    owner, requester = UserFactory(), UserFactory()
    cameo = _cameo(owner)
    job_id = (
        _client(requester)
        .post(URL, {"prompt": f"@{owner.username} riding a horse", "seconds": 1}, format="json")
        .json()["id"]
    )
    assert services.job_run(job_id=job_id).status == "succeeded"
    job = GenerationJob.objects.get(pk=job_id)

    owner_page = Client()
    owner_page.force_login(owner)
    usages = _client(owner).get(f"/api/v1/cameos/{cameo.pk}/usages").json()["results"]
    assert len(usages) == 1 and usages[0]["status"] == "draft (succeeded)"
    # The owner may watch the other person's private draft; a stranger may not.
    assert owner_page.get(usages[0]["video_url"]).status_code == 200
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(usages[0]["video_url"]).status_code == 404
    assert "riding a horse" in owner_page.get("/cameo/").content.decode()

    deleted = _client(owner).delete(f"/api/v1/cameo-usages/{usages[0]['id']}")
    assert deleted.status_code == 204
    job.refresh_from_db()
    assert not job.video_file and not private_storage().exists(
        f"drafts/{requester.pk}/{job.pk}/clip.mp4"
    )
    told = Notification.objects.get(recipient=requester, kind=NotificationKind.CAMEO)
    assert "removed your clip" in told.text
    assert _client(owner).get(f"/api/v1/cameos/{cameo.pk}/usages").json()["results"] == []
    # Nobody else can delete through the owner's door.
    other = _client(UserFactory()).delete(f"/api/v1/cameo-usages/{usages[0]['id']}")
    assert other.status_code == 404


@pytest.mark.django_db
def test_revoke_can_take_published_clips_down(media_dirs: Any) -> None:
    owner, requester = UserFactory(), UserFactory()
    cameo = _cameo(owner)
    job_id = (
        _client(requester)
        .post(URL, {"prompt": f"@{owner.username} juggling", "seconds": 1}, format="json")
        .json()["id"]
    )
    services.job_run(job_id=job_id)
    video, _ = video_publish(job=GenerationJob.objects.get(pk=job_id), user=requester)
    body = (
        _client(owner)
        .post(f"/api/v1/cameos/{cameo.pk}/revoke", {"take_down_published": True}, format="json")
        .json()
    )
    assert body["status"] == "revoked" and body["taken_down"] == 1
    video.refresh_from_db()
    assert video.status == VideoStatus.REMOVED


@pytest.mark.django_db
def test_preferences_join_the_prompt_and_are_policed(media_dirs: Any) -> None:
    PolicyTerm.objects.create(category_id="violence", pattern="gore")
    owner, requester = UserFactory(), UserFactory()
    cameo = _cameo(owner)
    refused = _client(owner).patch(f"/api/v1/cameos/{cameo.pk}", {"preferences": "lots of gore"},
                                   format="json")  # fmt: skip
    assert refused.status_code == 400 and refused.json()["fields"]["preferences"]
    ok = _client(owner).patch(
        f"/api/v1/cameos/{cameo.pk}",
        {"preferences": "always wearing a red hat", "permission": "approved",
         "approved": [f"@{requester.username}"]},
        format="json",
    )  # fmt: skip
    assert ok.status_code == 200 and ok.json()["approved"] == [f"@{requester.username}"]
    assert services.effective_prompt(f"@{owner.username} skiing", [Cameo.objects.get()]) == (
        f"@{owner.username} skiing (@{owner.username}: always wearing a red hat)"
    )


@pytest.mark.django_db
def test_one_person_cameo_per_user_and_characters_with_their_own_handle() -> None:
    owner = UserFactory()
    client = _client(owner)
    first = client.post("/api/v1/cameos", {"kind": "person"}, format="json")
    assert first.status_code == 201 and first.json()["handle"] == owner.username
    assert client.post("/api/v1/cameos", {"kind": "person"}, format="json").status_code == 409
    pet = client.post("/api/v1/cameos", {"kind": "character", "handle": "sir.whiskers"},
                      format="json")  # fmt: skip
    assert pet.status_code == 201 and pet.json()["kind"] == "character"
    taken = _client(UserFactory()).post("/api/v1/cameos",
                                        {"kind": "character", "handle": "Sir.Whiskers"},
                                        format="json")  # fmt: skip
    assert taken.status_code == 409


@pytest.mark.django_db
def test_verification_media_is_for_moderators_only(media_dirs: Any) -> None:
    from django.contrib.auth.models import Group
    from django.core.files.base import ContentFile

    from likeness.models import VerificationAttempt

    owner = UserFactory()
    cameo = _cameo(owner)
    name = private_storage().save(f"cameos/{cameo.pk}/verification-1.webm", ContentFile(b"rec"))
    attempt = VerificationAttempt.objects.create(cameo=cameo, challenge={}, clip=name)
    url = f"/moderation/verifications/{attempt.pk}/clip"
    for user in (None, owner, UserFactory(), UserFactory(is_staff=True)):
        client = Client()
        if user is not None:
            client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(f"/media/{name}").status_code == 404
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client = Client()
    client.force_login(moderator)
    assert client.get(url).status_code == 200
