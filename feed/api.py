"""Feed API: For You, Following and newest pages; likes, comments, views, reports, remixes."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_errors import ErrorSerializer
from config.errors import DomainError
from config.throttling import ActionThrottle
from feed import search, selectors, services, trending
from feed.serializers import (
    CommentCreateSerializer,
    CommentEditSerializer,
    CommentSerializer,
    FeedPageSerializer,
    ForYouPageSerializer,
    HashtagSerializer,
    LikeStateSerializer,
    ReportCreateSerializer,
    SearchResultsSerializer,
    TagPageSerializer,
    TrendingSerializer,
    VideoSerializer,
    ViewCreateSerializer,
    videos_data,
)
from feed.viewer import remember_anonymous, viewer_key

CURSOR = OpenApiParameter("cursor", str, required=False)
LIMIT = OpenApiParameter("limit", int, required=False)


def _limit(request: Request) -> int:
    try:
        return int(request.query_params.get("limit", selectors.FEED_PAGE_SIZE))
    except ValueError:
        return selectors.FEED_PAGE_SIZE


def _page_response(request: Request, page: selectors.FeedPage) -> Response:
    liked = selectors.liked_video_ids(viewer=request.user, video_ids=[v.pk for v in page.videos])
    return Response(
        {"results": videos_data(page.videos, liked_ids=liked), "next_cursor": page.next_cursor}
    )


class FeedView(APIView):
    """Newest first, all published clips."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[CURSOR, LIMIT], responses=FeedPageSerializer)
    def get(self, request: Request) -> Response:
        page = selectors.feed_newest_page(
            cursor=request.query_params.get("cursor"),
            limit=_limit(request),
            base=selectors.visible_videos_for(viewer=request.user, mutes=True),
        )
        return _page_response(request, page)


class ForYouView(APIView):
    """The next ranked page for this viewer; each call continues where the last one ended.
    When nothing unseen is left, `caught_up_at` says where clips already seen begin and
    `next_cursor` walks through them (it never ends while any clip is visible)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[CURSOR, LIMIT], responses=ForYouPageSerializer)
    def get(self, request: Request) -> Response:
        key, new_anonymous_id = viewer_key(request)
        page = services.for_you_feed(
            viewer=request.user,
            viewer_key=key,
            cursor=request.query_params.get("cursor"),
            limit=_limit(request),
            new_viewer=new_anonymous_id is not None,
        )
        liked = selectors.liked_video_ids(viewer=request.user, video_ids=page.ids)
        response = Response(
            {
                "results": services.video_payloads(page.ids, liked_ids=liked),
                "next_cursor": page.next_cursor,
                "caught_up_at": page.caught_up_at,
            }
        )
        return remember_anonymous(response, new_anonymous_id)


class FollowingView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[CURSOR, LIMIT], responses=FeedPageSerializer)
    def get(self, request: Request) -> Response:
        page = selectors.following_page(
            viewer=request.user, cursor=request.query_params.get("cursor"), limit=_limit(request)
        )
        return _page_response(request, page)


class VideoDetailView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=VideoSerializer)
    def get(self, request: Request, video_id: int) -> Response:
        video = selectors.video_get_visible(video_id=video_id, viewer=request.user)
        liked = selectors.liked_video_ids(viewer=request.user, video_ids=[video.pk])
        return Response(videos_data([video], liked_ids=liked)[0])

    @extend_schema(
        request=None,
        responses={204: None, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        description="The creator deletes a published clip; its files leave storage.",
    )
    def delete(self, request: Request, video_id: int) -> Response:
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        video = selectors.video_get_for_creator(user=request.user, video_id=video_id)
        services.video_delete(video=video)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LikeView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [ActionThrottle]
    throttle_scope = "like"

    @extend_schema(request=None, responses=LikeStateSerializer)
    def post(self, request: Request, video_id: int) -> Response:
        video = selectors.video_get_visible(video_id=video_id, viewer=request.user)
        liked, count = services.like_set(user=request.user, video=video, liked=True)
        return Response({"liked": liked, "like_count": count})

    @extend_schema(request=None, responses=LikeStateSerializer)
    def delete(self, request: Request, video_id: int) -> Response:
        video = selectors.video_get_visible(video_id=video_id, viewer=request.user)
        liked, count = services.like_set(user=request.user, video=video, liked=False)
        return Response({"liked": liked, "like_count": count})


class CommentsView(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    throttle_classes = [ActionThrottle]
    throttle_scope = "comment"

    @extend_schema(responses=CommentSerializer(many=True))
    def get(self, request: Request, video_id: int) -> Response:
        video = selectors.video_get_visible(video_id=video_id, viewer=request.user)
        comments = selectors.comments_for_video(video=video, viewer=request.user)
        return Response({"results": CommentSerializer(comments, many=True).data})

    @extend_schema(request=CommentCreateSerializer, responses={201: CommentSerializer})
    def post(self, request: Request, video_id: int) -> Response:
        video = selectors.video_get_visible(video_id=video_id, viewer=request.user)
        serializer = CommentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        parent = None
        if serializer.validated_data.get("parent"):
            parent = selectors.comment_get(comment_id=serializer.validated_data["parent"])
        comment = services.comment_create(
            author=request.user, video=video, body=serializer.validated_data["body"], parent=parent
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class CommentDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=CommentEditSerializer, responses=CommentSerializer)
    def patch(self, request: Request, comment_id: int) -> Response:
        comment = selectors.comment_get(comment_id=comment_id)
        serializer = CommentEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_edit(
            comment=comment, user=request.user, body=serializer.validated_data["body"]
        )
        return Response(CommentSerializer(comment).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, comment_id: int) -> Response:
        comment = selectors.comment_get(comment_id=comment_id)
        services.comment_delete(comment=comment, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ViewRecordView(APIView):
    """Watch time reports from the player; anonymous viewers count too (rate-limited)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(request=ViewCreateSerializer, responses={202: None})
    def post(self, request: Request, video_id: int) -> Response:
        video = selectors.video_get_visible(video_id=video_id, viewer=request.user)
        serializer = ViewCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key, new_anonymous_id = viewer_key(request)
        counted = services.view_record(
            video=video, user=request.user, viewer_key=key, **serializer.validated_data
        )
        response = Response({"counted": counted}, status=status.HTTP_202_ACCEPTED)
        return remember_anonymous(response, new_anonymous_id)


class ReportView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [ActionThrottle]
    throttle_scope = "report"

    @extend_schema(request=ReportCreateSerializer, responses={201: None})
    def post(self, request: Request, video_id: int) -> Response:
        video = selectors.video_get_visible(video_id=video_id, viewer=request.user)
        serializer = ReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.report_create(reporter=request.user, video=video, **serializer.validated_data)
        return Response({"reported": True}, status=status.HTTP_201_CREATED)


class LessLikeThisView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, video_id: int) -> Response:
        video = selectors.video_get_visible(video_id=video_id, viewer=request.user)
        services.less_like_this_add(user=request.user, video=video)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RemixesView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=VideoSerializer(many=True))
    def get(self, request: Request, video_id: int) -> Response:
        video = selectors.video_get_visible(video_id=video_id, viewer=request.user)
        return Response(
            {"results": videos_data(selectors.remixes_of(video=video, viewer=request.user))}
        )


class SearchView(APIView):
    """People (handle, name), clips (prompt, caption) and hashtags matching `q`: visible clips
    only, never people banned or blocked either way. A constant number of queries."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True, description="Up to 100 characters.")],
        responses={
            200: SearchResultsSerializer,
            400: OpenApiResponse(description="No query (`q` missing or blank)."),
        },
    )
    def get(self, request: Request) -> Response:
        q = search.search_normalize(request.query_params.get("q", ""))
        if not q:
            raise DomainError(
                gettext("Type something to search for."),
                fields={"q": [gettext("Type something to search for.")]},
            )
        results = search.search(q=q, viewer=request.user)
        liked = selectors.liked_video_ids(
            viewer=request.user, video_ids=[v.pk for v in results.clips]
        )
        data = SearchResultsSerializer(results, context={"liked_ids": liked}).data
        return Response(data)


class TagView(APIView):
    """A tag's visible clips, newest first (cursor pages), less those of people blocked or
    muted. Opening a tag steers this viewer's For You towards it for a while."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[CURSOR, LIMIT],
        responses={
            200: TagPageSerializer,
            400: OpenApiResponse(description="Invalid cursor."),
            404: OpenApiResponse(description="No such tag."),
        },
    )
    def get(self, request: Request, tag: str) -> Response:
        found = trending.tag_get(tag=tag)
        key, new_anonymous_id = viewer_key(request)
        services.tag_interest_add(viewer_key=key, tag=found.name)
        page = trending.tag_videos_page(
            tag=found,
            viewer=request.user,
            cursor=request.query_params.get("cursor"),
            limit=max(1, min(_limit(request), selectors.FEED_MAX_PAGE_SIZE)),
        )
        liked = selectors.liked_video_ids(
            viewer=request.user, video_ids=[v.pk for v in page.videos]
        )
        response = Response(
            {
                "tag": HashtagSerializer(found).data,
                "results": videos_data(page.videos, liked_ids=liked),
                "next_cursor": page.next_cursor,
            }
        )
        return remember_anonymous(response, new_anonymous_id)


class TrendingView(APIView):
    """Clips and tags by recent engagement velocity (likes, comments, remixes of the last 48
    hours, halved every 6 hours); shared for a minute, from the database when the cache is
    down."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: TrendingSerializer})
    def get(self, request: Request) -> Response:
        result = trending.trending(viewer=request.user)
        liked = selectors.liked_video_ids(
            viewer=request.user, video_ids=[v.pk for v in result.clips]
        )
        return Response(TrendingSerializer(result, context={"liked_ids": liked}).data)
