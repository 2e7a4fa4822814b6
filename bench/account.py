"""Account work at scale: authenticating a hashed API token, building a data export, erasing an
account — for one person with many clips.

Self-contained: a temporary SQLite database (migrated here) and media folder, an embedded Redis
unless REDIS_URL is set. One 3-second clip is really rendered and published; the person then
gets CLIPS published clips and CLIPS drafts (copies of that signed MP4 and its poster under
their own paths), COMMENTS comments and likes on a friend's clips, and follows.

Measured:
  - token: 5,000 `api_token_authenticate` calls (SHA-256 + one indexed look-up with the user)
    next to 5,000 look-ups of a clear DRF token (what it replaced) and plain
    `User.objects.get(pk=…)`, µs p50/p99;
  - export: `export_build` wall time and ZIP size (every MP4 stored, JSON and CSVs deflated);
  - erase: `account_erase` wall time (rows via the collector, every file, the counter recount).
Last line: one JSON object.

    python bench/account.py [--clips 40]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0:1] = [str(ROOT)]

from config.embedded_redis import EmbeddedRedis  # noqa: E402

TOKEN_CALLS = 5000
# Hashing must not make authentication noticeably dearer than the clear lookup it replaced.
GOAL_HASHED_VS_CLEAR = 1.25
GOAL_EXPORT_S_PER_CLIP = 0.05
GOAL_ERASE_S = 5.0


def _timed(fn, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(n):
        started = time.perf_counter_ns()
        fn()
        times.append((time.perf_counter_ns() - started) / 1000)
    return sorted(times)


def _pct(times: list[float], q: float) -> float:
    return round(times[min(len(times) - 1, int(len(times) * q))], 1)


def run(clips: int, comments: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from accounts.exports import export_build, export_request
    from accounts.lifecycle import account_erase
    from accounts.models import DataExport, Follow, User
    from accounts.services import user_create
    from accounts.tokens import api_token_authenticate, api_token_create
    from config.storage import private_storage, public_storage
    from feed.models import Comment, Like, Video
    from feed.services import video_publish
    from generation import services
    from generation.models import GenerationJob, JobStatus

    person = user_create(handle="leaving", password="bench-pass-123456", email="l@example.test")
    friend = user_create(handle="staying", password="bench-pass-123456")
    job, _ = services.job_create(owner=person, request=services.JobRequest(prompt="a lighthouse "
                                 "in a storm", seconds=3))  # fmt: skip
    assert services.job_run(job_id=job.pk).status == "succeeded"
    job.refresh_from_db()
    original, _ = video_publish(job=job, user=person)
    clip_bytes = public_storage().open(original.file.name).read()
    poster_bytes = public_storage().open(original.poster.name).read()
    now = timezone.now()
    for n in range(clips):
        draft = GenerationJob.objects.create(
            owner=person, prompt=f"clip {n}", seconds=3, seed=n, status=JobStatus.SUCCEEDED,
            finished_at=now,
        )  # fmt: skip
        draft.video_file.name = private_storage().save(f"drafts/{person.pk}/{draft.pk}/clip.mp4",
                                                       ContentFile(clip_bytes))  # fmt: skip
        draft.poster_file.name = private_storage().save(
            f"drafts/{person.pk}/{draft.pk}/poster.jpg", ContentFile(poster_bytes)
        )
        draft.save(update_fields=["video_file", "poster_file"])
        token = secrets.token_hex(12)
        Video.objects.create(
            creator=person, job=draft, public_token=token, prompt=draft.prompt, seed=n,
            width=original.width, height=original.height, duration=original.duration,
            published_at=now,
            file=public_storage().save(f"videos/{person.pk}/{token}/clip.mp4",
                                       ContentFile(clip_bytes)),
            poster=public_storage().save(f"videos/{person.pk}/{token}/poster.jpg",
                                         ContentFile(poster_bytes)),
        )  # fmt: skip
    theirs = [
        Video.objects.create(
            creator=friend,
            public_token=secrets.token_hex(12),
            prompt="x",
            seed=n,
            width=1,
            height=1,
            duration=1,
            published_at=now,
            file="x.mp4",
            poster="x.jpg",
        )  # fmt: skip
        for n in range(10)
    ]
    Comment.objects.bulk_create(
        [Comment(video=theirs[n % 10], author=person, body=f"comment {n}") for n in range(comments)]
    )
    Like.objects.bulk_create([Like(user=person, video=video) for video in theirs])
    Follow.objects.create(follower=person, followee=friend)

    _row, secret = api_token_create(user=person)
    token_us = _timed(lambda: api_token_authenticate(secret=secret), TOKEN_CALLS)
    plain_us = _timed(lambda: User.objects.get(pk=person.pk), TOKEN_CALLS)
    # The clear-text lookup it replaced (DRF's TokenAuthentication), for comparison.
    from rest_framework.authtoken.models import Token

    clear = Token.objects.create(user=person)
    clear_us = _timed(lambda: Token.objects.select_related("user").get(key=clear.key), TOKEN_CALLS)
    clear.delete()

    export, _ = export_request(user=person)
    started = time.perf_counter()
    export_build(export_id=export.pk)
    export_s = time.perf_counter() - started
    export.refresh_from_db()
    assert export.status == "ready", export.error

    User.objects.filter(pk=person.pk).update(deletion_requested_at=now)
    started = time.perf_counter()
    assert account_erase(user_id=person.pk, force=True)
    erase_s = time.perf_counter() - started
    left = sum(1 for _ in Path(os.environ["REVERIE_VAR_DIR"], "media", "videos",
                                str(person.pk)).rglob("*.mp4"))  # fmt: skip
    assert not DataExport.objects.filter(user=person).exists() and left == 0
    media_files = 2 * (clips + 1) * 2 + 1
    return {
        "bench": "account",
        "clips": clips + 1,
        "drafts": clips + 1,
        "comments": comments,
        "token_auth_p50_us": _pct(token_us, 0.5),
        "token_auth_p99_us": _pct(token_us, 0.99),
        "clear_token_p50_us": _pct(clear_us, 0.5),
        "clear_token_p99_us": _pct(clear_us, 0.99),
        "plain_user_get_p50_us": _pct(plain_us, 0.5),
        "plain_user_get_p99_us": _pct(plain_us, 0.99),
        "hashed_vs_clear_p50": round(statistics.median(token_us) / statistics.median(clear_us), 2),
        "export_s": round(export_s, 2),
        "export_mb": round((export.size or 0) / 1e6, 1),
        "export_s_per_clip": round(export_s / (2 * (clips + 1)), 4),
        "erase_s": round(erase_s, 2),
        "erased_media_files": media_files,
        "goals": {
            "hashed_vs_clear_p50": GOAL_HASHED_VS_CLEAR,
            "export_s_per_clip": GOAL_EXPORT_S_PER_CLIP,
            "erase_s": GOAL_ERASE_S,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=40)
    parser.add_argument("--comments", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reverie-bench-account-") as tmp:
        os.environ.update(
            REVERIE_VAR_DIR=tmp,
            DJANGO_SETTINGS_MODULE="config.settings",
            CACHE_KEY_PREFIX=f"bench-account-{secrets.token_hex(4)}",
            LOG_LEVEL="WARNING",
            RENDER_THREADS="1",
        )
        os.environ.pop("DATABASE_URL", None)
        redis = None
        try:
            if not os.environ.get("REDIS_URL"):
                redis = EmbeddedRedis(Path(tmp) / "redis", persist=False)
                os.environ["REDIS_URL"] = redis.start()
            result = run(args.clips, args.comments)
        finally:
            if redis:
                redis.stop()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
