"""Account API: tokens, me, profiles, follows, avatars and notifications."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import lifecycle, selectors, services
from accounts.api_account import DeletionScheduledSerializer, PasswordSerializer
from accounts.serializers import (
    AvatarUploadSerializer,
    BlockStateSerializer,
    FollowStateSerializer,
    MuteStateSerializer,
    NotificationGroupSerializer,
    NotificationsReadSerializer,
    ProfileSerializer,
    ProfileUpdateSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    UserPublicSerializer,
    profile_data,
)
from accounts.tokens import api_token_create
from config.api_errors import ErrorSerializer
from config.schema import results_of
from config.throttling import ActionThrottle
from feed.selectors import liked_video_ids, profile_videos_page
from feed.serializers import FeedPageSerializer, videos_data


class TokenObtainView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ActionThrottle]
    throttle_scope = "login"
    authentication_classes: list = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer, 400: ErrorSerializer, 401: ErrorSerializer},
        description="A new API token (stored hashed; shown only now) that expires after "
        "`expires_in_days` (default API_TOKEN_TTL_DAYS; 0 = never).",
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The Django request, not DRF's wrapper: django-axes marks a locked-out caller on it, and
        # its middleware answers 429 for this door exactly as for the web form.
        user = authenticate(
            request._request,
            username=serializer.validated_data["handle"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise AuthenticationFailed("Wrong handle or password.")
        if settings.SIGNUP_EMAIL_VERIFICATION and user.email_verified_at is None:
            raise AuthenticationFailed(
                _("Confirm your e-mail address first: follow the link we sent.")
            )
        # Logging in during an account's grace period keeps the account.
        lifecycle.account_deletion_cancel(user=user)
        token, secret = api_token_create(
            user=user,
            name=serializer.validated_data.get("name", ""),
            days=serializer.validated_data.get("expires_in_days"),
        )
        return Response(
            {
                "token": secret,
                "id": token.pk,
                "expires_at": token.expires_at,
                "user": UserPublicSerializer(user).data,
            }
        )


class DeleteWithBodySchema(AutoSchema):
    """drf-spectacular documents request bodies only for POST/PUT/PATCH; `DELETE /api/v1/me`
    takes the password in its body (never in the URL, where logs would keep it)."""

    def _get_request_body(self, direction: str = "request") -> Any:
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    schema = DeleteWithBodySchema()

    @extend_schema(responses=ProfileSerializer)
    def get(self, request: Request) -> Response:
        user = selectors.profile_get(handle=request.user.username)
        return Response(profile_data(user, is_following=False))

    @extend_schema(request=ProfileUpdateSerializer, responses=ProfileSerializer)
    def patch(self, request: Request) -> Response:
        serializer = ProfileUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.profile_update(user=request.user, **serializer.validated_data)
        user = selectors.profile_get(handle=request.user.username)
        return Response(profile_data(user, is_following=False))

    @extend_schema(
        request=PasswordSerializer,
        responses={202: DeletionScheduledSerializer, 400: ErrorSerializer, 401: ErrorSerializer,
                   403: ErrorSerializer},
        description="Delete the account, with its password. Every session and token stops at "
        "once; after the grace period (ACCOUNT_DELETION_GRACE_DAYS) everything is erased. "
        "Logging in before then cancels.",
    )  # fmt: skip
    def delete(self, request: Request) -> Response:
        serializer = PasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        due = lifecycle.account_deletion_request(
            user=request.user, password=serializer.validated_data["password"],
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )  # fmt: skip
        if getattr(request._request, "session", None) is not None:
            logout(request._request)
        message = _("Your account will be deleted. Log in before the date to keep it.")
        return Response({"detail": message, "erase_after": due}, status=status.HTTP_202_ACCEPTED)


class AvatarView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": AvatarUploadSerializer}, responses=UserPublicSerializer
    )
    def post(self, request: Request) -> Response:
        serializer = AvatarUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.avatar_set(user=request.user, upload=serializer.validated_data["avatar"])
        return Response(UserPublicSerializer(user).data)


class ProfileView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=ProfileSerializer)
    def get(self, request: Request, handle: str) -> Response:
        user = selectors.profile_get(handle=handle, viewer=request.user)
        following = selectors.is_following(follower=request.user, followee=user)
        return Response(profile_data(user, is_following=following))


class ProfileVideosView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=FeedPageSerializer)
    def get(self, request: Request, handle: str) -> Response:
        creator = selectors.user_get_by_handle(handle=handle, viewer=request.user)
        try:
            limit = int(request.query_params.get("limit", 18))
        except ValueError:
            limit = 18
        page = profile_videos_page(
            creator=creator,
            cursor=request.query_params.get("cursor"),
            limit=max(1, min(limit, 60)),
            viewer=request.user,
        )
        liked = liked_video_ids(viewer=request.user, video_ids=[v.pk for v in page.videos])
        return Response(
            {"results": videos_data(page.videos, liked_ids=liked), "next_cursor": page.next_cursor}
        )


class FollowView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [ActionThrottle]
    throttle_scope = "follow"

    @extend_schema(request=None, responses=FollowStateSerializer)
    def post(self, request: Request, handle: str) -> Response:
        followee = selectors.user_get_by_handle(handle=handle)
        following = services.follow_set(follower=request.user, followee=followee, following=True)
        return Response({"following": following})

    @extend_schema(request=None, responses=FollowStateSerializer)
    def delete(self, request: Request, handle: str) -> Response:
        followee = selectors.user_get_by_handle(handle=handle)
        following = services.follow_set(follower=request.user, followee=followee, following=False)
        return Response({"following": following})


RELATION_ERRORS = {
    400: OpenApiResponse(description="Yourself."),
    401: OpenApiResponse(description="Not signed in."),
    404: OpenApiResponse(description="No such user."),
}


class BlockView(APIView):
    """Block: the two people no longer see each other's clips, comments, profiles, mentions or
    notifications, follows between them end, and neither may use the other's cameo or remix
    the other's clips. Unblocking restores visibility (not the follows)."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [ActionThrottle]
    throttle_scope = "follow"

    @extend_schema(request=None, responses={200: BlockStateSerializer, **RELATION_ERRORS})
    def post(self, request: Request, handle: str) -> Response:
        other = selectors.user_get_by_handle(handle=handle)
        blocking = services.block_set(blocker=request.user, blocked=other, blocking=True)
        return Response({"blocking": blocking})

    @extend_schema(request=None, responses={200: BlockStateSerializer, **RELATION_ERRORS})
    def delete(self, request: Request, handle: str) -> Response:
        other = selectors.user_get_by_handle(handle=handle)
        blocking = services.block_set(blocker=request.user, blocked=other, blocking=False)
        return Response({"blocking": blocking})


class MuteView(APIView):
    """Mute: this person's clips leave your feeds (For You, Following, newest); nothing else
    changes and they are not told."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [ActionThrottle]
    throttle_scope = "follow"

    @extend_schema(request=None, responses={200: MuteStateSerializer, **RELATION_ERRORS})
    def post(self, request: Request, handle: str) -> Response:
        other = selectors.user_get_by_handle(handle=handle)
        muting = services.mute_set(muter=request.user, muted=other, muting=True)
        return Response({"muting": muting})

    @extend_schema(request=None, responses={200: MuteStateSerializer, **RELATION_ERRORS})
    def delete(self, request: Request, handle: str) -> Response:
        other = selectors.user_get_by_handle(handle=handle)
        muting = services.mute_set(muter=request.user, muted=other, muting=False)
        return Response({"muting": muting})


class NotificationsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses=results_of(
            NotificationGroupSerializer, name="NotificationList", unread=serializers.IntegerField()
        )
    )
    def get(self, request: Request) -> Response:
        groups = selectors.notifications_grouped(user=request.user)
        return Response(
            {
                "results": NotificationGroupSerializer(groups, many=True).data,
                "unread": selectors.notifications_unread_count(user=request.user),
            }
        )


class NotificationsReadView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=NotificationsReadSerializer,
        responses=inline_serializer(
            name="NotificationsMarked", fields={"marked": serializers.IntegerField()}
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = NotificationsReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changed = services.notifications_mark_read(
            user=request.user, ids=serializer.validated_data.get("ids")
        )
        return Response({"marked": changed}, status=status.HTTP_200_OK)
