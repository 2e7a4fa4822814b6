"""Writes for the feed: publishing, likes, comments, views, reports, "less like this", scores."""

from __future__ import annotations

import logging
import secrets
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext

from accounts.handles import mention_lookalikes_refuse
from accounts.models import NotificationKind, User
from accounts.selectors import (
    blocked_between,
    blocked_q,
    can_moderate,
    handle_lookup_keys,
    handle_resolve,
    hidden_creator_ids,
    mentioned_handles,
)
from accounts.services import notify
from config.errors import Conflict, DomainError, Forbidden, NotFound
from config.storage import private_storage, public_storage
from credits.services import revenue_share_for_publish
from feed import ranking, seen
from feed.hashtags import hashtags_in
from feed.localcache import local
from feed.models import (
    COMMENT_MAX_CHARS,
    Comment,
    Hashtag,
    LessLikeThis,
    Like,
    Report,
    Video,
    VideoStatus,
    View,
    video_upload_path,
)
from feed.selectors import (
    FEED_PAGE_SIZE,
    TAG_INTEREST_MAX,
    TAG_INTEREST_TTL_SECONDS,
    CandidatePools,
    ForYouPage,
    candidate_pools_build,
    for_you_continue,
    for_you_rank,
    seen_store,
    tag_interest_key,
    visible_videos,
)
from feed.serializers import VideoSerializer
from generation.models import GenerationJob, JobStatus
from generation.policy import caption_check, comment_check

logger = logging.getLogger(__name__)

COMMENT_EDIT_WINDOW = timedelta(minutes=15)


def _copy(source: Storage, name: str, target: Storage, target_name: str) -> str:
    with source.open(name, "rb") as handle:
        return target.save(target_name, handle)


def hashtags_attach(*, video: Video, names: list[str]) -> None:
    """Store the clip's tags (parsed once, at publish): two queries and one insert whatever
    their number; an existing tag is reused."""
    if not names:
        return
    Hashtag.objects.bulk_create([Hashtag(name=name) for name in names], ignore_conflicts=True)
    video.hashtags.set(Hashtag.objects.filter(name__in=names))


def video_publish(*, job: GenerationJob, user: User, caption: str = "") -> tuple[Video, bool]:
    """Publish a succeeded draft; publishing twice returns the same clip. (video, created)"""
    existing = Video.objects.filter(job=job).first()
    if existing is not None:
        return existing, False
    if job.status != JobStatus.SUCCEEDED or not job.video_file:
        raise Conflict("Only a finished draft can be published.", code="not_publishable")
    verdict = caption_check(caption)
    if not verdict.allowed:
        raise DomainError(verdict.reason, code="caption_blocked",
                          fields={"caption": [verdict.reason]})  # fmt: skip
    parent = job.remix_of if job.remix_of_id else None
    caption = caption.strip()[:300]
    tags = hashtags_in(job.prompt, caption)
    video = Video(
        creator=user,
        job=job,
        remix_of=parent,
        remix_root=(parent.remix_root or parent) if parent else None,
        remix_depth=(parent.remix_depth + 1) if parent else 0,
        # Tags join the keywords: "less like this" and a tapped tag (For You) both weigh them.
        keywords=ranking.keywords(job.prompt) + [f"#{tag}" for tag in tags],
        public_token=secrets.token_hex(12),
        prompt=job.prompt,
        caption=caption,
        seed=job.seed,
        aspect=job.aspect,
        width=job.width or 0,
        height=job.height or 0,
        duration=job.duration or float(job.seconds),
        published_at=timezone.now(),
    )
    video.score, video.score_parts = ranking.score(
        ranking.Engagement(0, 0, 0, 0, 0, creator_quality=0.5), video.published_at
    )
    video.scored_at = video.published_at
    # Drafts are private files; the published clip gets its own copy under a public path.
    video.file.name = _copy(
        private_storage(),
        job.video_file.name,
        public_storage(),
        video_upload_path(video, "clip.mp4"),
    )
    video.poster.name = _copy(
        private_storage(),
        job.poster_file.name,
        public_storage(),
        video_upload_path(video, "poster.jpg"),
    )
    try:
        with transaction.atomic():
            video.save()
            hashtags_attach(video=video, names=tags)
            # Licensed characters earn their rights holders a share of what the clip cost.
            revenue_share_for_publish(job=job)
            transaction.on_commit(candidate_pools_forget)
            if parent is not None:
                Video.objects.filter(pk=parent.pk).update(
                    remix_count=F("remix_count") + 1, activity_at=timezone.now()
                )
                notify(
                    recipient=parent.creator, actor=user, kind=NotificationKind.REMIX, video=video
                )
    except IntegrityError:
        # A concurrent publish of the same draft won; drop our copies, answer with its clip.
        public_storage().delete(video.file.name)
        public_storage().delete(video.poster.name)
        return Video.objects.get(job=job), False
    return video, True


@transaction.atomic
def video_delete(*, video: Video) -> None:
    """The creator deletes a published clip: its likes, comments and views go with it, its
    files leave storage after commit; remixes keep their depth and lose the link (they read
    "original deleted"). The draft it was published from is not touched."""
    names = [name for name in (video.file.name, video.poster.name) if name]
    if video.remix_of_id is not None:
        Video.objects.filter(pk=video.remix_of_id).update(
            remix_count=Greatest(F("remix_count") - 1, 0)
        )
    video_id = video.pk
    Video.objects.filter(pk=video_id).delete()
    storage = public_storage()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
    transaction.on_commit(lambda: candidate_pools_forget(video_id))


def video_counters_recount(*, video_ids: list[int]) -> None:
    """Recount likes, live comments and remixes of these clips from their rows (after rows of
    theirs were deleted in bulk, e.g. by an account's erasure)."""
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    def count_of(queryset: Any) -> Any:
        rows = queryset.order_by().values("video_id" if queryset.model is not Video else "remix_of")
        return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)

    if not video_ids:
        return
    Video.objects.filter(pk__in=video_ids).update(
        like_count=count_of(Like.objects.filter(video=OuterRef("pk"))),
        comment_count=count_of(Comment.objects.filter(video=OuterRef("pk"), deleted_at=None)),
        remix_count=count_of(Video.objects.filter(remix_of=OuterRef("pk"))),
        activity_at=timezone.now(),
    )


def _touch(video_id: int, **counters: Any) -> None:
    """Adjust counters and mark the clip for re-scoring, in one UPDATE."""
    Video.objects.filter(pk=video_id).update(activity_at=timezone.now(), **counters)


def like_set(*, user: User, video: Video, liked: bool) -> tuple[bool, int]:
    """Like or unlike; repeating either changes nothing. Returns (liked, like_count)."""
    with transaction.atomic():
        if liked:
            try:
                with transaction.atomic():
                    Like.objects.create(user=user, video=video)
            except IntegrityError:
                pass  # already liked
            else:
                _touch(video.pk, like_count=F("like_count") + 1)
                notify(
                    recipient=video.creator,
                    actor=user,
                    kind=NotificationKind.LIKE,
                    video=video,
                    once=True,  # like, unlike, like again: one notification
                )
        else:
            deleted, _ = Like.objects.filter(user=user, video=video).delete()
            if deleted:
                _touch(video.pk, like_count=Greatest(F("like_count") - 1, 0))
    count = Video.objects.values_list("like_count", flat=True).get(pk=video.pk)
    return liked, count


def _clean_comment_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        message = gettext("Write something first.")
        raise DomainError(message, fields={"body": [message]})
    if len(body) > COMMENT_MAX_CHARS:
        message = gettext("A comment is at most %(limit)s characters.") % {
            "limit": COMMENT_MAX_CHARS
        }
        raise DomainError(message, fields={"body": [message]})
    if "\x00" in body:  # PostgreSQL can't store it: a 400 here instead of a 500 there
        message = gettext("A comment can't contain null characters.")
        raise DomainError(message, fields={"body": [message]})
    verdict = comment_check(body)
    if not verdict.allowed:
        raise DomainError(verdict.reason, code="comment_blocked",
                          fields={"body": [verdict.reason]})  # fmt: skip
    mention_lookalikes_refuse(text=body, field="body")
    return body


@transaction.atomic
def comment_create(
    *, author: User, video: Video, body: str, parent: Comment | None = None
) -> Comment:
    body = _clean_comment_body(body)
    answered = parent  # whose comment this answers: they get the REPLY notification
    if blocked_between(a_id=author.pk, b_id=video.creator_id):
        raise NotFound("No such clip.")
    if parent is not None:
        if parent.video_id != video.pk or parent.deleted_at is not None:
            raise NotFound("No such comment.")
        if blocked_between(a_id=author.pk, b_id=parent.author_id):
            raise NotFound("No such comment.")
        # One level deep: answering a reply answers its thread.
        if parent.parent_id is not None:
            parent = parent.parent
    comment = Comment.objects.create(video=video, author=author, body=body, parent=parent)
    _touch(video.pk, comment_count=F("comment_count") + 1)
    notified = {author.pk}
    if answered is not None and answered.author_id not in notified:
        notify(recipient=answered.author, actor=author, kind=NotificationKind.REPLY,
               video=video, comment=comment)  # fmt: skip
        notified.add(answered.author_id)
    if video.creator_id not in notified:
        notify(recipient=video.creator, actor=author, kind=NotificationKind.COMMENT,
               video=video, comment=comment)  # fmt: skip
        notified.add(video.creator_id)
    handles = mentioned_handles(body)
    if handles:
        found = {
            user.username: user
            # People blocked either way are neither linked nor told.
            for user in User.objects.filter(
                username__in=handle_lookup_keys(handles), is_active=True
            ).exclude(blocked_q(viewer=author, field="pk"))
        }
        mentioned: list[User] = []
        for handle in sorted(handles):
            user = handle_resolve(handle, found)
            if user is not None and user not in mentioned:
                mentioned.append(user)
        comment.mentions.set(mentioned)
        for user in mentioned:
            if user.pk not in notified:
                notify(recipient=user, actor=author, kind=NotificationKind.MENTION,
                       video=video, comment=comment)  # fmt: skip
                notified.add(user.pk)
    return comment


def comment_edit(*, comment: Comment, user: User, body: str) -> Comment:
    if comment.author_id != user.pk:
        raise Forbidden("Only its author can edit a comment.")
    if timezone.now() - comment.created_at > COMMENT_EDIT_WINDOW:
        raise DomainError(
            "Comments can be edited for 15 minutes after posting.", code="edit_window_closed"
        )
    comment.body = _clean_comment_body(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, user: User) -> Comment:
    """Soft delete by its author or a moderator: the thread keeps its shape."""
    if comment.author_id != user.pk and not can_moderate(user):
        raise Forbidden("You can't delete this comment.")
    updated = Comment.objects.filter(pk=comment.pk, deleted_at__isnull=True).update(
        deleted_at=timezone.now(), deleted_by=user
    )
    if updated:
        _touch(comment.video_id, comment_count=Greatest(F("comment_count") - 1, 0))
    comment.refresh_from_db()
    return comment


VIEW_RATE_WINDOW_SECONDS = 30


def view_record(
    *, video: Video, user: Any, viewer_key: str, watch_ms: int, completed: bool
) -> bool:
    """Count a view (anonymous ones too) at most once per viewer and clip per window.

    Returns whether it was counted."""
    if watch_ms < 0:
        raise DomainError("watch_ms can't be negative.", fields={"watch_ms": ["Must be ≥ 0."]})
    watch_ms = min(int(watch_ms), int(video.duration * 1000 * 4))  # loops, not hours
    if not cache.add(f"view:{video.pk}:{viewer_key}", 1, timeout=VIEW_RATE_WINDOW_SECONDS):
        return False
    with transaction.atomic():
        View.objects.create(
            video=video,
            user=user if user.is_authenticated else None,
            watch_ms=watch_ms,
            completed=completed,
        )
        _touch(
            video.pk,
            view_count=F("view_count") + 1,
            completed_view_count=F("completed_view_count") + int(bool(completed)),
            watch_ms_total=F("watch_ms_total") + watch_ms,
        )
    return True


def report_create(*, reporter: User, video: Video, reason: str, details: str = "") -> Report:
    """One report per person and clip; reporting again updates the reason."""
    report, _ = Report.objects.update_or_create(
        video=video, reporter=reporter, defaults={"reason": reason, "details": details[:1000]}
    )
    return report


def less_like_this_add(*, user: User, video: Video) -> None:
    LessLikeThis.objects.get_or_create(
        user=user, video=video,
        defaults={"creator_id": video.creator_id, "keywords": video.keywords},
    )  # fmt: skip
    seen_add(viewer_key=f"u{user.pk}", video_ids=[video.pk])


# --- For You: the writes around a page (seen set, shared caches) ---------------------------

POOL_CACHE_KEY = "foryou:pools:v1"
PAYLOAD_KEY = "video-payload:v1:{}"


def seen_add(*, viewer_key: str, video_ids: list[int]) -> None:
    """Remember what a viewer was shown: a sorted set by time, capped and expiring, written
    behind the request (feed/seen.py)."""
    if video_ids:
        seen.queue(viewer_key=viewer_key, video_ids=video_ids)


def seen_flush() -> None:
    """Write queued seen pages now (tests, benchmarks)."""
    seen.flush()


def tag_interest_add(*, viewer_key: str, tag: str) -> None:
    """The viewer opened a tag: For You lifts that tag's clips for them for a while
    (`selectors.tag_interests`). Best effort: without Redis the tag page still works."""
    key = tag_interest_key(viewer_key)

    def write() -> bool:
        pipe = seen_store().pipeline()
        pipe.zadd(key, {tag: time.time()})
        pipe.zremrangebyrank(key, 0, -TAG_INTEREST_MAX - 1)
        pipe.expire(key, TAG_INTEREST_TTL_SECONDS)
        pipe.execute()
        return True

    seen.outage.call("zadd", write, False)


def candidate_pools() -> CandidatePools:
    """The candidate pools, shared by every viewer for a few seconds (and kept by each process
    for FOR_YOU_LOCAL_SECONDS): most For You requests then cost no ranking query and no Redis
    round trip at all."""
    local_key = cache.make_key(POOL_CACHE_KEY)
    pools = local.get(local_key) if settings.FOR_YOU_POOL_SECONDS > 0 else None
    if pools is not None:
        return pools
    cached = cache.get(POOL_CACHE_KEY)
    if cached is not None:
        local.set(local_key, cached, seconds=settings.FOR_YOU_LOCAL_SECONDS)
        return cached
    pools = candidate_pools_build()
    if settings.FOR_YOU_POOL_SECONDS > 0:
        cache.set(POOL_CACHE_KEY, pools, settings.FOR_YOU_POOL_SECONDS)
        local.set(local_key, pools, seconds=settings.FOR_YOU_LOCAL_SECONDS)
    return pools


def candidate_pools_forget(*video_ids: int) -> None:
    """Publishing, hiding or banning changes what may be shown: rebuild the pools (and drop the
    cached payloads of clips that changed)."""
    cache.delete(POOL_CACHE_KEY)
    local.delete(cache.make_key(POOL_CACHE_KEY))
    if video_ids:
        keys = [PAYLOAD_KEY.format(video_id) for video_id in video_ids]
        cache.delete_many(keys)
        local.delete(*(cache.make_key(key) for key in keys))


def for_you_ids(
    *, viewer: Any, viewer_key: str, limit: int = FEED_PAGE_SIZE, new_viewer: bool = False
) -> list[int]:
    """The next For You page for this viewer (`selectors.for_you_rank`), remembered as seen."""
    ids = for_you_rank(
        viewer=viewer,
        viewer_key=viewer_key,
        pools=candidate_pools(),
        limit=limit,
        new_viewer=new_viewer,
        hidden=hidden_creator_ids(viewer=viewer),
    )
    seen_add(viewer_key=viewer_key, video_ids=ids)
    return ids


def for_you_feed(
    *,
    viewer: Any,
    viewer_key: str,
    cursor: str | None = None,
    limit: int = FEED_PAGE_SIZE,
    new_viewer: bool = False,
) -> ForYouPage:
    """The For You door: the next unseen ranked clips, remembered as seen, then (never a dead
    end) clips already seen behind the "caught up" point (`selectors.for_you_continue`). Costs
    what for_you_ids costs while the shared pool holds every visible clip."""
    pools = candidate_pools()
    hidden = hidden_creator_ids(viewer=viewer)  # blocked either way, or muted
    unseen = for_you_rank(
        viewer=viewer,
        viewer_key=viewer_key,
        pools=pools,
        limit=limit,
        new_viewer=new_viewer,
        hidden=hidden,
    )
    seen_add(viewer_key=viewer_key, video_ids=unseen)
    return for_you_continue(unseen=unseen, pools=pools, cursor=cursor, limit=limit, hidden=hidden)


def for_you_page(
    *, viewer: Any, viewer_key: str, limit: int = FEED_PAGE_SIZE, new_viewer: bool = False
) -> list[Video]:
    """The next For You page as clips (one more query for the chosen rows)."""
    ids = for_you_ids(viewer=viewer, viewer_key=viewer_key, limit=limit, new_viewer=new_viewer)
    videos = visible_videos().in_bulk(ids)
    return [videos[video_id] for video_id in ids if video_id in videos]


def video_payloads(
    video_ids: list[int], *, liked_ids: set[int] | None = None
) -> list[dict[str, Any]]:
    """Feed items by id, serialized once and shared for a few seconds (counts may lag by that
    much); only the viewer's own "liked" flag is added per request. Clips that stopped being
    visible are left out."""
    keys = {video_id: PAYLOAD_KEY.format(video_id) for video_id in video_ids}
    found: dict[str, Any] = {}
    shared_ttl, local_ttl = settings.FOR_YOU_POOL_SECONDS, settings.FOR_YOU_LOCAL_SECONDS
    if shared_ttl > 0:
        # This process's copies first, then the shared cache for the rest.
        for key in keys.values():
            data = local.get(cache.make_key(key))
            if data is not None:
                found[key] = data
        wanted = [key for key in keys.values() if key not in found]
        if wanted:
            shared = cache.get_many(wanted)
            for key, data in shared.items():
                local.set(cache.make_key(key), data, seconds=local_ttl)
            found.update(shared)
    missing = [video_id for video_id in video_ids if keys[video_id] not in found]
    if missing:
        fresh = visible_videos().in_bulk(missing)
        payloads = {video_id: VideoSerializer(video).data for video_id, video in fresh.items()}
        if shared_ttl > 0:
            cache.set_many(
                {keys[video_id]: dict(data) for video_id, data in payloads.items()}, shared_ttl
            )
            for video_id, data in payloads.items():
                local.set(cache.make_key(keys[video_id]), dict(data), seconds=local_ttl)
        found.update({keys[video_id]: data for video_id, data in payloads.items()})
    liked_ids = liked_ids or set()
    items = []
    for video_id in video_ids:
        data = found.get(keys[video_id])
        if data is not None:
            items.append({**data, "liked": video_id in liked_ids})
    return items


@transaction.atomic
def videos_take_down(*, video_ids: list[int], delete_files: bool = False) -> int:
    """Remove published clips from the feed (a person in them asked, say); with `delete_files`
    their files go too. Returns how many were visible or hidden and are now removed."""
    if delete_files:
        for video in Video.objects.filter(pk__in=video_ids):
            video.file.delete(save=False)
            video.poster.delete(save=False)
    removed = (
        Video.objects.filter(pk__in=video_ids)
        .exclude(status=VideoStatus.REMOVED)
        .update(status=VideoStatus.REMOVED)
    )
    transaction.on_commit(lambda: candidate_pools_forget(*video_ids))
    return removed


def scores_refresh(*, batch_size: int = 2000) -> int:
    """Re-score clips with activity since their last scoring (incremental). Returns how many."""
    now = timezone.now()
    stale = list(
        Video.objects.filter(
            Q(scored_at__isnull=True) | Q(activity_at__gt=F("scored_at"))
        ).order_by("activity_at")[:batch_size]
    )
    if not stale:
        return 0
    creator_ids = {video.creator_id for video in stale}
    quality = {
        row["creator_id"]: ranking.completion_rate(row["views"] or 0, row["done"] or 0)
        for row in Video.objects.filter(creator_id__in=creator_ids)
        .values("creator_id")
        .annotate(views=Sum("view_count"), done=Sum("completed_view_count"))
    }
    for video in stale:
        video.score, video.score_parts = ranking.score(
            ranking.Engagement(
                likes=video.like_count,
                comments=video.comment_count,
                remixes=video.remix_count,
                views=video.view_count,
                completed_views=video.completed_view_count,
                creator_quality=quality.get(video.creator_id, 0.5),
            ),
            video.published_at,
        )
        video.scored_at = now
    Video.objects.bulk_update(stale, ["score", "score_parts", "scored_at"], batch_size=500)
    return len(stale)
