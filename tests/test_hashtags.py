"""#tags: parsing (Unicode, French accents, what is not a tag), storing at publish, links on
pages, the tag API and page, trending order (and its cache fallback), and a tapped tag steering
For You."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Block, Mute
from feed import trending
from feed.hashtags import hashtags_in, linkify_hashtags
from feed.models import Comment, Hashtag, Like, Video, VideoStatus
from feed.services import hashtags_attach, video_publish
from generation import services as generation_services
from tests.factories import UserFactory, VideoFactory


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _tagged(*names: str, **fields: Any) -> Video:
    video = VideoFactory(keywords=[f"#{n}" for n in names], **fields)
    hashtags_attach(video=video, names=list(names))
    return video


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("Un soir d'#Été à #Paris, #été encore", ["été", "paris"]),
        ("#café-crème et l'#amour", ["café-crème", "amour"]),
        ("#CAFÉ #Café #cafe", ["café", "cafe"]),
        ("decomposed #e\u0301te\u0301", ["été"]),
        ("#日本 #москва #Ελλάδα", ["日本", "москва", "ελλάδα"]),
        ("#123 #2026 but #top10", ["top10"]),
        ("foo#bar &#39; http://x.test/#frag ##double # #single", ["single"]),
        ("trailing dash #neige- and #under_score", ["neige", "under_score"]),
        ("#" + "a" * 51, []),
    ],
)
def test_hashtags_are_parsed_in_their_normal_form(text: str, tags: list[str]) -> None:
    assert hashtags_in(text) == tags


def test_captions_and_prompts_are_parsed_together_once_each() -> None:
    assert hashtags_in("#mer au #soleil", "le #Soleil et la #lune") == ["mer", "soleil", "lune"]
    assert len(hashtags_in(" ".join(f"#tag{i}" for i in range(40)))) == 20


def test_links_are_escaped_and_point_to_the_tag_page() -> None:
    html = str(linkify_hashtags("<b>hi</b> #Été & #123"))
    assert html.startswith("&lt;b&gt;hi&lt;/b&gt; ")
    assert '<a class="hashtag" href="/tags/%C3%A9t%C3%A9/">#Été</a>' in html
    assert "&amp; #123" in html


@pytest.mark.django_db
def test_publish_stores_tags_from_prompt_and_caption() -> None:
    owner = UserFactory()
    job, _ = generation_services.job_create(
        owner=owner,
        request=generation_services.JobRequest(prompt="a #Boat at #Été dusk", seconds=1, seed=3),
    )
    assert generation_services.job_run(job_id=job.pk).status == "succeeded"
    job.refresh_from_db()
    Hashtag.objects.create(name="été")  # an existing tag is reused
    video, _ = video_publish(job=job, user=owner, caption="sailing #boat #voile")
    assert sorted(video.hashtags.values_list("name", flat=True)) == ["boat", "voile", "été"]
    assert Hashtag.objects.count() == 3
    data = APIClient().get(f"/api/v1/videos/{video.pk}").json()
    assert data["hashtags"] == ["boat", "été", "voile"]
    page = Client().get(f"/v/{video.pk}/").content.decode()
    assert 'href="/tags/boat/"' in page and 'href="/tags/voile/"' in page


@pytest.mark.django_db
def test_tag_api_and_page_respect_visibility_blocks_and_mutes() -> None:
    viewer = UserFactory()
    blocked, muted = UserFactory(), UserFactory()
    shown = _tagged("plage")
    _tagged("plage", status=VideoStatus.HIDDEN)
    _tagged("plage", creator=UserFactory(is_active=False))
    by_blocked = _tagged("plage", creator=blocked)
    by_muted = _tagged("plage", creator=muted)
    Block.objects.create(blocker=blocked, blocked=viewer)
    Mute.objects.create(muter=viewer, muted=muted)
    body = _client(viewer).get("/api/v1/tags/Plage").json()
    assert body["tag"]["name"] == "plage"
    assert [item["id"] for item in body["results"]] == [shown.pk]
    visitor = APIClient().get("/api/v1/tags/plage").json()
    assert {item["id"] for item in visitor["results"]} == {shown.pk, by_blocked.pk, by_muted.pk}
    assert APIClient().get("/api/v1/tags/nothing-here").status_code == 404
    assert APIClient().get("/api/v1/tags/plage?cursor=@@@").status_code == 400
    page = Client().get("/tags/plage/")
    assert page.status_code == 200 and f"/v/{shown.pk}/" in page.content.decode()
    assert Client().get("/tags/nothing-here/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_tag_page_costs_constant_queries(count: int, django_assert_num_queries: Any) -> None:
    viewer = UserFactory()
    for _ in range(count):
        _tagged("neige")
    # The tag with its count, the page of clips, the viewer's likes.
    with django_assert_num_queries(3):
        body = _client(viewer).get("/api/v1/tags/neige", {"limit": 20}).json()
    assert len(body["results"]) == count


def _engage(video: Video, *, likes: int = 0, comments: int = 0, hours_ago: float = 0) -> None:
    at = timezone.now() - timedelta(hours=hours_ago)
    for _ in range(likes):
        like = Like.objects.create(user=UserFactory(), video=video)
        Like.objects.filter(pk=like.pk).update(created_at=at)
    for _ in range(comments):
        comment = Comment.objects.create(video=video, author=UserFactory(), body="!")
        Comment.objects.filter(pk=comment.pk).update(created_at=at)


@pytest.mark.django_db
def test_trending_ranks_by_recent_velocity_not_totals() -> None:
    rising = _tagged("rising")
    old_hit = _tagged("oldhit")
    steady = _tagged("steady", "rising")
    _engage(rising, likes=5, hours_ago=0.5)
    _engage(old_hit, likes=12, hours_ago=30)  # more likes, but a day ago: halved five times
    _engage(old_hit, likes=40, hours_ago=60)  # outside the window: not counted
    _engage(steady, comments=2, hours_ago=2)  # a comment weighs two likes
    body = APIClient().get("/api/v1/trending").json()
    assert [item["id"] for item in body["clips"]] == [rising.pk, steady.pk, old_hit.pk]
    tags = [tag["name"] for tag in body["hashtags"]]
    assert tags == ["rising", "steady", "oldhit"]  # "rising" adds up both of its clips
    assert body["hashtags"][0]["velocity"] > body["hashtags"][1]["velocity"]


@pytest.mark.django_db
def test_trending_is_cached_and_falls_back_to_the_database_when_the_cache_fails(
    monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    clip = _tagged("vague")
    _engage(clip, likes=2)
    assert [c["id"] for c in APIClient().get("/api/v1/trending").json()["clips"]] == [clip.pk]
    # Cached: only the rows (clips, tags) are read.
    with django_assert_num_queries(2):
        APIClient().get("/api/v1/trending")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache down")

    backend = caches["default"]
    monkeypatch.setattr(backend, "get", broken)
    monkeypatch.setattr(backend, "set", broken)
    late = _tagged("vague")
    _engage(late, likes=5)
    body = APIClient().get("/api/v1/trending").json()
    assert [c["id"] for c in body["clips"]] == [late.pk, clip.pk]


@pytest.mark.django_db
def test_trending_leaves_out_hidden_banned_blocked_and_muted() -> None:
    viewer = UserFactory()
    blocked, muted = UserFactory(), UserFactory()
    clips = {
        "ok": _tagged("t"),
        "hidden": _tagged("t", status=VideoStatus.HIDDEN),
        "banned": _tagged("t", creator=UserFactory(is_active=False)),
        "blocked": _tagged("t", creator=blocked),
        "muted": _tagged("t", creator=muted),
    }
    for clip in clips.values():
        _engage(clip, likes=1)
    Block.objects.create(blocker=viewer, blocked=blocked)
    Mute.objects.create(muter=viewer, muted=muted)
    ids = {c["id"] for c in _client(viewer).get("/api/v1/trending").json()["clips"]}
    assert ids == {clips["ok"].pk}
    result = trending.trending(viewer=viewer)
    assert [tag.name for tag in result.hashtags] == ["t"]


@pytest.mark.django_db
def test_opening_a_tag_steers_for_you_towards_it() -> None:
    viewer = UserFactory()
    # Forty clips scored above the tagged one (beyond the candidates a page looks at): without
    # the tag it would come last.
    others = [VideoFactory(score=10.0 + i * 0.01) for i in range(40)]
    tagged = _tagged("volcan", score=9.0)
    client = _client(viewer)
    assert client.get("/api/v1/tags/volcan").status_code == 200
    first = client.get("/api/v1/feed/for-you", {"limit": 3}).json()["results"]
    assert tagged.pk in [item["id"] for item in first]
    # Someone who did not open the tag sees it after the higher-scored clips.
    stranger = _client(UserFactory()).get("/api/v1/feed/for-you", {"limit": 3}).json()
    assert tagged.pk not in [item["id"] for item in stranger["results"]]
    assert others  # the higher-scored clips exist
