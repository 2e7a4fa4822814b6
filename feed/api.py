"""Feed API: newest-first cursor pages of published clips, and single clips."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from feed import selectors
from feed.serializers import FeedPageSerializer, VideoSerializer


class FeedView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str, required=False),
            OpenApiParameter("limit", int, required=False),
        ],
        responses=FeedPageSerializer,
    )
    def get(self, request: Request) -> Response:
        try:
            limit = int(request.query_params.get("limit", selectors.FEED_PAGE_SIZE))
        except ValueError:
            limit = selectors.FEED_PAGE_SIZE
        page = selectors.feed_newest_page(cursor=request.query_params.get("cursor"), limit=limit)
        return Response(
            {
                "results": VideoSerializer(page.videos, many=True).data,
                "next_cursor": page.next_cursor,
            }
        )


class VideoDetailView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=VideoSerializer)
    def get(self, request: Request, video_id: int) -> Response:
        return Response(VideoSerializer(selectors.video_get_visible(video_id=video_id)).data)
