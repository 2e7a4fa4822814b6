"""Bulk seeding for bench/feed.py: users, clips, likes, comments and follows through COPY.

Rows are generated with numpy and streamed to PostgreSQL with psycopg 3: binary COPY for the
all-integer tables (likes, follows), text COPY for the rest. Counters on each clip are computed
from the likes and comments actually inserted, and `score` / `score_parts` follow
feed.ranking.score exactly (vectorised; a sample is checked against the real function).

`seed(conn, clips_total=N)` tops the database up to N clips (and users in proportion), so the
1 M phase adds to the 10 k set instead of starting again.
"""

from __future__ import annotations

import json
import math
import os
import struct
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import psycopg
import psycopg.sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from feed import ranking  # noqa: E402  (pure functions, no Django needed)

USERS_PER_CLIP = 0.1  # 10 users per 100 clips …
CREATOR_EVERY = 5  # … one in five of them posts: 1 creator per 50 clips
LIKES_PER_CLIP = 5.0
COMMENTS_PER_CLIP = 1.0
FOLLOWS_PER_USER = 20.0
HIDDEN_SHARE = 0.01
WINDOW_DAYS = 30
CHUNK = 200_000
NULL = "\\N"  # COPY text format

PG_EPOCH_US = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
COPY_TRAILER = struct.pack(">h", -1)

SUBJECTS = [
    "a neon city", "a red fox", "hot air balloons", "a lighthouse", "a koi pond",
    "paper lanterns", "a steam train", "jellyfish", "a desert caravan", "a glass greenhouse",
    "a cat", "an old sailboat", "cherry blossoms", "a robot gardener", "fireflies",
]  # fmt: skip
PLACES = [
    "in the rain", "over the mountains", "in a dark forest", "on a frozen lake",
    "under the ocean", "above the clouds", "in a pastel town", "on a beach",
    "in a busy market", "inside a cathedral",
]  # fmt: skip
MOODS = [
    "at golden hour", "at night", "at dawn", "in slow motion", "drone view",
    "watercolor style", "film grain", "cinematic lighting",
]  # fmt: skip
COMMENT_BODIES = [
    "love this", "the colors!", "how did you prompt this?", "wow", "more like this please",
    "this is so calm", "the ending got me", "remix incoming", "instant follow", "10/10",
    "what seed is this?", "looks like a dream", "I could watch this all day", "so good",
]  # fmt: skip


@dataclass
class SeedStats:
    users: int
    creators: int
    videos: int
    likes: int
    comments: int
    follows: int
    seconds: float
    steps: dict[str, float]
    defaulted: list[str]


def _copy_binary(cur: psycopg.Cursor, table: str, columns: list[str], arrays: list) -> None:
    """Binary COPY of int64/float64 columns (timestamps as int64 µs since 2000-01-01)."""
    n = len(arrays[0])
    fields: list[tuple[str, str]] = [("ncols", ">i2")]
    for i, array in enumerate(arrays):
        kind = ">f8" if np.asarray(array).dtype.kind == "f" else ">i8"
        fields += [(f"len{i}", ">i4"), (f"v{i}", kind)]
    dtype = np.dtype(fields)
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT BINARY)") as cp:
        cp.write(COPY_HEADER)
        for start in range(0, n, CHUNK):
            stop = min(start + CHUNK, n)
            block = np.empty(stop - start, dtype=dtype)
            block["ncols"] = len(arrays)
            for i, array in enumerate(arrays):
                block[f"len{i}"] = 8
                block[f"v{i}"] = array[start:stop]
            cp.write(block.tobytes())
        cp.write(COPY_TRAILER)


def _copy_text(cur: psycopg.Cursor, table: str, columns: list[str], lines) -> None:  # type: ignore[no-untyped-def]
    """Text COPY from an iterable of ready lines (values contain no tabs/newlines/backslashes)."""
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= 50_000:
                cp.write("".join(batch))
                batch.clear()
        if batch:
            cp.write("".join(batch))


def _ts_text(us: np.ndarray) -> list[str]:
    """int64 µs since the Unix epoch → 'YYYY-MM-DDTHH:MM:SS.ffffff+00' strings."""
    text = np.datetime_as_string(us.astype("datetime64[us]"), unit="us")
    return [f"{value}+00" for value in text.tolist()]


ZERO_BY_TYPE = {
    "smallint": "0", "integer": "0", "bigint": "0", "numeric": "0", "real": "0",
    "double precision": "0", "boolean": "false", "text": "''", "character varying": "''",
    "jsonb": "'{}'", "json": "'{}'", "timestamp with time zone": "now()", "date": "current_date",
    "uuid": "gen_random_uuid()",
}  # fmt: skip


def _default_missing_columns(
    cur: psycopg.Cursor, table: str, columns: list[str], restore: list[str], notes: list[str]
) -> None:
    """The app's schema moves on: a NOT NULL column without a database default that the seeder
    doesn't know gets a zero-ish default for the duration of the seeding transaction."""
    cur.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s"
        " AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        [table],
    )
    for column, data_type in cur.fetchall():
        if column in columns or column == "id":
            continue
        if data_type not in ZERO_BY_TYPE:
            raise RuntimeError(f"{table}.{column} ({data_type}) is NOT NULL; teach _feedseed it")
        name = psycopg.sql.Identifier(column).as_string(cur)
        cur.execute(
            f"ALTER TABLE {table} ALTER COLUMN {name} SET DEFAULT {ZERO_BY_TYPE[data_type]}"
        )
        restore.append(f"ALTER TABLE {table} ALTER COLUMN {name} DROP DEFAULT")
        notes.append(f"{table}.{column}={ZERO_BY_TYPE[data_type]}")


def _neg_binomial(rng: np.random.Generator, mean: np.ndarray, shape: float) -> np.ndarray:
    """Skewed counts: negative binomial with this mean (variance mean + mean²/shape)."""
    return rng.negative_binomial(shape, shape / (shape + mean))


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique's hash path is ~20× slower on millions of int64)."""
    values = np.sort(values)
    return values[np.concatenate([[True], values[1:] != values[:-1]])] if len(values) else values


def _scalar(cur: psycopg.Cursor, sql: str) -> int:
    cur.execute(sql)
    value = cur.fetchone()[0]  # type: ignore[index]
    return int(value or 0)


TABLES = ["accounts_user", "feed_video", "feed_like", "feed_comment", "accounts_follow"]


def _drop_secondary_indexes(cur: psycopg.Cursor, tables: list[str]) -> list[str]:
    """Drop every non-primary index (and unique constraint) of these tables that no foreign key
    needs; return the statements that recreate them exactly. Sorting once into a fresh b-tree is
    far cheaper than millions of random-order inserts into indexes larger than shared_buffers."""
    recreate: list[str] = []
    for table in tables:
        cur.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname,"
            " pg_get_constraintdef(c.oid) FROM pg_index i"
            " LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid"
            " AND c.contype IN ('u', 'x')"
            " WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS"
            " (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)",
            [table],
        )
        for index, index_def, constraint, constraint_def in cur.fetchall():
            if constraint:
                name = psycopg.sql.Identifier(constraint).as_string(cur)
                cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
                recreate.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {constraint_def}")
            else:
                cur.execute(f"DROP INDEX {index}")
                recreate.append(index_def)
    return recreate


def seed(conn: psycopg.Connection, *, clips_total: int, seed_value: int = 42) -> SeedStats:
    started = time.perf_counter()
    rng = np.random.default_rng(seed_value + clips_total)
    now_us = int(time.time() * 1_000_000)
    window_us = WINDOW_DAYS * 24 * 3600 * 1_000_000
    with conn.cursor() as cur:
        try:
            # Skip the deferred FK triggers (millions of lookups at COMMIT): the rows are
            # consistent by construction. Needs a superuser; without it, COPY still works.
            cur.execute("SET session_replication_role = replica")
        except psycopg.Error:
            conn.rollback()
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '512MB'")
        steps: dict[str, float] = {}
        last = [time.perf_counter()]

        def mark(step: str) -> None:
            now = time.perf_counter()
            steps[step] = round(now - last[0], 2)
            last[0] = now

        old_users = _scalar(cur, "SELECT max(id) FROM accounts_user")
        old_videos = _scalar(cur, "SELECT max(id) FROM feed_video")
        old_count = _scalar(cur, "SELECT count(*) FROM feed_video")
        new_videos = max(0, clips_total - old_count)
        users_total = max(int(clips_total * USERS_PER_CLIP), 100, old_users)
        recreate = _drop_secondary_indexes(cur, TABLES)
        restore: list[str] = []
        notes: list[str] = []
        mark("drop_indexes")

        # --- users --------------------------------------------------------------------------
        user_cols = [
            "id", "password", "is_superuser", "first_name", "last_name", "email", "is_staff",
            "is_active", "date_joined", "username", "display_name", "avatar", "avatar_small",
            "bio",
        ]  # fmt: skip
        _default_missing_columns(cur, "accounts_user", user_cols, restore, notes)
        new_user_ids = np.arange(old_users + 1, users_total + 1, dtype=np.int64)
        joined = _ts_text(now_us - window_us * 2 + rng.integers(0, window_us, len(new_user_ids)))
        _copy_text(
            cur, "accounts_user", user_cols,
            (f"{uid}\t!bench\tf\t\t\t\tf\tt\t{j}\tbench_u{uid}\tBench user {uid}\t\t\t\n"
             for uid, j in zip(new_user_ids.tolist(), joined, strict=True)),
        )  # fmt: skip
        mark("users")

        # --- creators and their popularity -------------------------------------------------
        creators = np.arange(CREATOR_EVERY, users_total + 1, CREATOR_EVERY, dtype=np.int64)
        popularity = rng.lognormal(0.0, 1.0, len(creators))
        pick = popularity / popularity.sum()

        # --- clips --------------------------------------------------------------------------
        vid = np.arange(old_videos + 1, old_videos + 1 + new_videos, dtype=np.int64)
        creator_idx = rng.choice(len(creators), size=new_videos, p=pick)
        creator = creators[creator_idx]
        published = now_us - rng.integers(60_000_000, window_us, new_videos)
        # Popular creators get more engagement (mean kept at LIKES_PER_CLIP overall).
        boost = np.sqrt(popularity[creator_idx])
        boost /= boost.mean() if new_videos else 1.0
        want_likes = _neg_binomial(rng, LIKES_PER_CLIP * boost, 0.7)
        want_comments = _neg_binomial(rng, COMMENTS_PER_CLIP * boost, 0.5)

        # Likes: distinct (user, clip) pairs; the counter is what was really inserted.
        like_video = np.repeat(vid, want_likes)
        like_user = rng.integers(1, users_total + 1, len(like_video), dtype=np.int64)
        pairs = _distinct(like_video * (users_total + 1) + like_user)
        like_video, like_user = pairs // (users_total + 1), pairs % (users_total + 1)
        like_count = np.bincount(like_video - old_videos - 1, minlength=new_videos)
        like_idx = like_video - old_videos - 1
        like_at = published[like_idx] + (
            (now_us - published[like_idx]) * rng.random(len(like_video)) ** 2
        ).astype(np.int64)

        comment_video = np.repeat(vid, want_comments)
        comment_idx = comment_video - old_videos - 1
        comment_count = want_comments
        comment_at = published[comment_idx] + (
            (now_us - published[comment_idx]) * rng.random(len(comment_video)) ** 2
        ).astype(np.int64)
        comment_author = rng.integers(1, users_total + 1, len(comment_video), dtype=np.int64)

        activity = np.full(new_videos, -1, dtype=np.int64)
        np.maximum.at(activity, like_idx, like_at)
        np.maximum.at(activity, comment_idx, comment_at)

        # Views: more than likes, a creator-dependent completion rate.
        quality_true = rng.beta(4, 4, len(creators))
        views = (like_count * rng.uniform(2, 8, new_videos)).astype(np.int64) + rng.poisson(
            3, new_videos
        )
        completed = rng.binomial(views, quality_true[creator_idx])
        duration = np.round(rng.uniform(3, 10, new_videos), 2)
        watch_ms = (views * duration * 1000 * (0.3 + 0.7 * quality_true[creator_idx])).astype(
            np.int64
        )

        # Creator quality as scores_refresh computes it: smoothed completion over all clips.
        cur.execute(
            "SELECT creator_id, sum(view_count), sum(completed_view_count) FROM feed_video"
            " GROUP BY creator_id"
        )
        sum_views = np.bincount(creator_idx, weights=views, minlength=len(creators))
        sum_done = np.bincount(creator_idx, weights=completed, minlength=len(creators))
        for creator_id, v, d in cur.fetchall():
            if creator_id % CREATOR_EVERY == 0 and creator_id // CREATOR_EVERY <= len(creators):
                sum_views[creator_id // CREATOR_EVERY - 1] += int(v)
                sum_done[creator_id // CREATOR_EVERY - 1] += int(d)
        creator_quality = ((sum_done + 1) / (sum_views + 2))[creator_idx]

        # score = ranking.score(...), vectorised with the same weights, rounding and epoch.
        w = ranking.WEIGHTS
        hours = (published - int(ranking.EPOCH.timestamp() * 1_000_000)) / 3.6e9
        parts = {
            "likes": np.round(w["likes"] * np.log1p(like_count), 4),
            "comments": np.round(w["comments"] * np.log1p(comment_count), 4),
            "remixes": np.zeros(new_videos),
            "completion": np.round(w["completion"] * ((completed + 1) / (views + 2) - 0.5), 4),
            "creator": np.round(w["creator"] * (creator_quality - 0.5), 4),
            "freshness": np.round(math.log(2) * hours / ranking.HALF_LIFE_HOURS, 4),
        }
        score = np.round(sum(parts.values()), 4)
        for i in rng.choice(new_videos, size=min(20, new_videos), replace=False).tolist():
            expected, _ = ranking.score(
                ranking.Engagement(
                    int(like_count[i]), int(comment_count[i]), 0, int(views[i]),
                    int(completed[i]), float(creator_quality[i]),
                ),
                datetime.fromtimestamp(published[i] / 1e6, tz=UTC),
            )  # fmt: skip
            if abs(expected - score[i]) > 1e-3:
                raise RuntimeError(f"vectorised score {score[i]} != ranking.score {expected}")

        prompts = [f"{s} {p} {m}" for s in SUBJECTS for p in PLACES for m in MOODS]
        prompt_keywords = [json.dumps(ranking.keywords(p)) for p in prompts]
        prompt_idx = rng.integers(0, len(prompts), new_videos)
        status = np.where(rng.random(new_videos) < HIDDEN_SHARE, "hidden", "visible")
        tokens = os.urandom(12 * new_videos).hex()
        seeds = rng.integers(0, 2**62, new_videos)
        published_txt = _ts_text(published)
        activity_txt = _ts_text(np.maximum(activity, 0))
        scored_txt = _ts_text(np.array([now_us], dtype=np.int64))[0]
        part_lists = [parts[name].tolist() for name in parts]

        video_cols = [
            "id", "creator_id", "public_token", "prompt", "caption", "seed", "aspect", "file",
            "poster", "width", "height", "duration", "status", "published_at", "remix_depth",
            "like_count", "comment_count", "remix_count", "view_count", "completed_view_count",
            "watch_ms_total", "score", "score_parts", "activity_at", "scored_at", "keywords",
        ]  # fmt: skip
        _default_missing_columns(cur, "feed_video", video_cols, restore, notes)

        def video_lines():  # type: ignore[no-untyped-def]
            columns = zip(
                vid.tolist(), creator.tolist(), prompt_idx.tolist(), seeds.tolist(),
                duration.tolist(), status.tolist(), like_count.tolist(), comment_count.tolist(),
                views.tolist(), completed.tolist(), watch_ms.tolist(), score.tolist(),
                activity.tolist(), *part_lists, strict=True,
            )  # fmt: skip
            for i, (v, c, p, s, d, st, lk, cm, vw, cp, wm, sc, act, *pp) in enumerate(columns):
                token = tokens[24 * i : 24 * i + 24]
                base = f"videos/{c}/{token}/"
                score_parts = (
                    f'{{"likes": {pp[0]}, "comments": {pp[1]}, "remixes": {pp[2]}, '
                    f'"completion": {pp[3]}, "creator": {pp[4]}, "freshness": {pp[5]}}}'
                )
                yield (
                    f"{v}\t{c}\t{token}\t{prompts[p]}\t\t{s}\t9:16\t{base}clip.mp4\t"
                    f"{base}poster.jpg\t720\t1280\t{d}\t{st}\t{published_txt[i]}\t0\t{lk}\t{cm}"
                    f"\t0\t{vw}\t{cp}\t{wm}\t{sc}\t{score_parts}\t"
                    f"{activity_txt[i] if act >= 0 else NULL}\t{scored_txt}\t"
                    f"{prompt_keywords[p]}\n"
                )

        mark("generate")
        _copy_text(cur, "feed_video", video_cols, video_lines())
        mark("videos")

        like_cols = ["id", "created_at", "user_id", "video_id"]
        _default_missing_columns(cur, "feed_like", like_cols, restore, notes)
        first_like = _scalar(cur, "SELECT max(id) FROM feed_like") + 1
        _copy_binary(
            cur, "feed_like", like_cols,
            [np.arange(first_like, first_like + len(like_video), dtype=np.int64),
             like_at - PG_EPOCH_US, like_user, like_video],
        )  # fmt: skip
        mark("likes")

        comment_cols = ["id", "body", "created_at", "author_id", "video_id"]
        _default_missing_columns(cur, "feed_comment", comment_cols, restore, notes)
        first_comment = _scalar(cur, "SELECT max(id) FROM feed_comment") + 1
        body_idx = rng.integers(0, len(COMMENT_BODIES), len(comment_video)).tolist()
        comment_at_txt = _ts_text(comment_at)
        rows = zip(
            body_idx, comment_at_txt, comment_author.tolist(), comment_video.tolist(), strict=True
        )
        _copy_text(
            cur, "feed_comment", comment_cols,
            (f"{first_comment + i}\t{COMMENT_BODIES[b]}\t{at}\t{a}\t{v}\n"
             for i, (b, at, a, v) in enumerate(rows)),
        )  # fmt: skip
        mark("comments")

        # Follows: each new user follows ~20 creators, popular ones more often.
        per_user = rng.poisson(FOLLOWS_PER_USER, len(new_user_ids))
        follower = np.repeat(new_user_ids, per_user)
        followee = creators[rng.choice(len(creators), size=len(follower), p=pick)]
        keep = follower != followee
        pairs = _distinct(follower[keep] * (users_total + 1) + followee[keep])
        follower, followee = pairs // (users_total + 1), pairs % (users_total + 1)
        follow_cols = ["id", "created_at", "followee_id", "follower_id"]
        _default_missing_columns(cur, "accounts_follow", follow_cols, restore, notes)
        first_follow = _scalar(cur, "SELECT max(id) FROM accounts_follow") + 1
        _copy_binary(
            cur, "accounts_follow", follow_cols,
            [np.arange(first_follow, first_follow + len(follower), dtype=np.int64),
             now_us - rng.integers(0, window_us, len(follower)) - PG_EPOCH_US,
             followee, follower],
        )  # fmt: skip
        mark("follows")
        for statement in recreate + restore:
            cur.execute(statement)
        mark("indexes")

        for table in TABLES:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        cur.execute("SET session_replication_role = DEFAULT")
    conn.commit()
    return SeedStats(
        users=len(new_user_ids),
        creators=len(creators),
        videos=new_videos,
        likes=len(like_video),
        comments=len(comment_video),
        follows=len(follower),
        seconds=time.perf_counter() - started,
        steps=steps,
        defaulted=notes,
    )


def vacuum_analyze(dsn: str) -> float:
    """VACUUM ANALYZE the seeded tables (what autovacuum would get to): stats and visibility map."""
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        for table in TABLES:
            conn.execute(f"VACUUM (ANALYZE) {table}")
    return time.perf_counter() - started
