"""Search on PostgreSQL: pg_trgm for people (trigram similarity on handle and name) and GIN
indexes over the clips' English and French full-text vectors. Nothing on SQLite, whose search
is the development fallback in feed/search.py."""

from typing import Any

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# The same expressions feed/search.py queries with, compiled by Django, so the planner can use them.
CLIP_INDEXES = [
    ("feed_video_fts_en", "english"),
    ("feed_video_fts_fr", "french"),
]


def _clip_index(name: str, config: str) -> GinIndex:
    return GinIndex(SearchVector("prompt", "caption", config=config), name=name)


def _people_indexes() -> list[GinIndex]:
    return [
        GinIndex(fields=["username"], opclasses=["gin_trgm_ops"], name="accounts_user_handle_trgm"),
        GinIndex(
            fields=["display_name"], opclasses=["gin_trgm_ops"], name="accounts_user_name_trgm"
        ),
    ]


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    video = apps.get_model("feed", "Video")
    for name, config in CLIP_INDEXES:
        schema_editor.add_index(video, _clip_index(name, config))
    user = apps.get_model("accounts", "User")
    for index in _people_indexes():
        schema_editor.add_index(user, index)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    video = apps.get_model("feed", "Video")
    for name, config in CLIP_INDEXES:
        schema_editor.remove_index(video, _clip_index(name, config))
    user = apps.get_model("accounts", "User")
    for index in _people_indexes():
        schema_editor.remove_index(user, index)


class Migration(migrations.Migration):
    dependencies = [
        ("feed", "0005_hashtags"),
        ("accounts", "0008_block_mute"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(forwards, backwards),
    ]
