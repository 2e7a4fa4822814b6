"""Account API: exchange a handle and password for a token; who am I."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import (
    TokenRequestSerializer,
    TokenResponseSerializer,
    UserPublicSerializer,
)
from accounts.services import api_token_get_or_create


class TokenObtainView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer)
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=serializer.validated_data["handle"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise AuthenticationFailed("Wrong handle or password.")
        token = api_token_get_or_create(user=user)
        return Response({"token": token, "user": UserPublicSerializer(user).data})


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=UserPublicSerializer)
    def get(self, request: Request) -> Response:
        return Response(UserPublicSerializer(request.user).data)
