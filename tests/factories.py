"""factory_boy factories shared by the tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

import factory

from accounts.models import User

TEST_PASSWORD = "correct-horse-battery-42"


@lru_cache(maxsize=1)
def _test_password_hash() -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(TEST_PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:03d}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    # A real Argon2 hash of TEST_PASSWORD, computed once: hashing per user would make the
    # suite slow, and logging in through the real hasher still works.
    password = factory.LazyFunction(lambda: _test_password_hash())


class VideoFactory(factory.django.DjangoModelFactory):
    """A published clip row; its files are names only (tests that play them render real ones)."""

    class Meta:
        model = "feed.Video"

    creator = factory.SubFactory(UserFactory)
    public_token = factory.Sequence(lambda n: f"token{n:06d}")
    prompt = factory.Sequence(lambda n: f"prompt number {n}")
    seed = factory.Sequence(lambda n: n)
    file = factory.LazyAttribute(lambda v: f"videos/{v.public_token}/clip.mp4")
    poster = factory.LazyAttribute(lambda v: f"videos/{v.public_token}/poster.jpg")
    width = 720
    height = 1280
    duration = 5.0
    published_at = factory.Sequence(
        lambda n: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n)
    )


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment row (counters on the clip are not touched: use the services for that)."""

    class Meta:
        model = "feed.Comment"

    video = factory.SubFactory(VideoFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"comment number {n}")


class LikeFactory(factory.django.DjangoModelFactory):
    """A like row (the clip's like_count is not touched: use the services for that)."""

    class Meta:
        model = "feed.Like"

    user = factory.SubFactory(UserFactory)
    video = factory.SubFactory(VideoFactory)


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.Follow"

    follower = factory.SubFactory(UserFactory)
    followee = factory.SubFactory(UserFactory)
