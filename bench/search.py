"""Search on PostgreSQL at a size where indexes matter: seeds people and clips (prompts in
English and French, captions with #tags) inside a transaction that is rolled back at the end,
then times each part of a search (median of --runs) and prints EXPLAIN ANALYZE, so one can see
the GIN indexes (full-text English/French, trigram on handle and name) at work.

    DATABASE_URL=postgres://… python manage.py shell < bench/search.py         # 20 k clips
    BENCH_CLIPS=100000 BENCH_PEOPLE=20000 DATABASE_URL=… python manage.py shell < bench/search.py

Last line: one JSON object with the medians in milliseconds."""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from feed.models import Video
from feed.search import clips_search, hashtags_search, people_search

CLIPS = int(os.environ.get("BENCH_CLIPS", "20000"))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "5000"))
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
EN = [
    "horse",
    "running",
    "beach",
    "sunset",
    "city",
    "neon",
    "rain",
    "forest",
    "dragon",
    "robot",
    "ocean",
    "storm",
    "night",
]
FR = [
    "cheval",
    "courant",
    "plage",
    "coucher",
    "ville",
    "néon",
    "pluie",
    "forêt",
    "dragon",
    "robot",
    "océan",
    "orage",
    "nuit",
]
FIRST = [
    "alice",
    "bruno",
    "chloé",
    "david",
    "emma",
    "félix",
    "gabriel",
    "hugo",
    "inès",
    "jules",
    "léa",
    "martin",
    "nina",
    "oscar",
]


class Rollback(Exception):
    pass


def _seed(rng: random.Random) -> None:
    users = User.objects.bulk_create(
        [
            User(username=f"{rng.choice(FIRST)}{i}"[:30].replace("é", "e").replace("è", "e"),
                 display_name=f"{rng.choice(FIRST).title()} {rng.choice(FIRST).title()}")
            for i in range(PEOPLE)
        ],
        batch_size=2000,
    )  # fmt: skip
    start = datetime(2026, 1, 1, tzinfo=UTC)
    clips = []
    for i in range(CLIPS):
        words = rng.sample(EN if i % 2 else FR, 5)
        clips.append(
            Video(
                creator=users[i % len(users)], public_token=f"bench{i}", prompt=" ".join(words),
                caption=f"#{words[0]} {words[1]}", seed=i, file="x.mp4", poster="x.jpg",
                width=720, height=1280, duration=5.0, published_at=start + timedelta(seconds=i),
            )
        )  # fmt: skip
    Video.objects.bulk_create(clips, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user; ANALYZE feed_video;")


def _measure(name: str, call: object) -> tuple[float, str]:
    timings = []
    for _ in range(RUNS):
        began = time.perf_counter()
        call()  # type: ignore[operator]
        timings.append((time.perf_counter() - began) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        call()  # type: ignore[operator]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + ctx.captured_queries[-1]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(f"--- {name}: median {statistics.median(timings):.2f} ms\n{plan}\n")
    return statistics.median(timings), plan


def main() -> None:
    assert connection.vendor == "postgresql", "bench/search.py measures PostgreSQL"
    results: dict[str, float] = {}
    try:
        with transaction.atomic():
            _seed(random.Random(7))
            for name, call in [
                ("clips_en", lambda: clips_search(q="horse beach", viewer=None)),
                ("clips_fr", lambda: clips_search(q="chevaux plage", viewer=None)),
                ("people", lambda: people_search(q="marti", viewer=None)),
                ("tags", lambda: hashtags_search(q="drag")),
            ]:
                results[name], _ = _measure(name, call)
            raise Rollback
    except Rollback:
        pass
    print(json.dumps({"clips": CLIPS, "people": PEOPLE, **{k: round(v, 2) for k, v in
                                                           results.items()}}))  # fmt: skip


main()
