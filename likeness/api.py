"""Cameo API: create, verify (challenge and upload), settings, usages, revoke, delete."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.schema import results_of
from likeness import selectors, services
from likeness.serializers import (
    AttemptSerializer,
    CameoCreateSerializer,
    CameoSerializer,
    CameoSettingsSerializer,
    ClipUploadSerializer,
    RevokeSerializer,
    UsageSerializer,
)


class CameoListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="v1_cameos_list", responses=results_of(CameoSerializer, name="CameoList")
    )
    def get(self, request: Request) -> Response:
        cameos = selectors.cameos_of(owner=request.user)
        return Response({"results": CameoSerializer(cameos, many=True).data})

    @extend_schema(request=CameoCreateSerializer, responses={201: CameoSerializer})
    def post(self, request: Request) -> Response:
        serializer = CameoCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cameo = services.cameo_create(owner=request.user, **serializer.validated_data)
        return Response(CameoSerializer(cameo).data, status=status.HTTP_201_CREATED)


class CameoDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=CameoSerializer)
    def get(self, request: Request, cameo_id: int) -> Response:
        cameo = selectors.cameo_get_for_owner(owner=request.user, cameo_id=cameo_id)
        return Response(CameoSerializer(cameo).data)

    @extend_schema(request=CameoSettingsSerializer, responses=CameoSerializer)
    def patch(self, request: Request, cameo_id: int) -> Response:
        cameo = selectors.cameo_get_for_owner(owner=request.user, cameo_id=cameo_id)
        serializer = CameoSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        approved = data.pop("approved", None)
        services.cameo_update_settings(cameo=cameo, approved_handles=approved, **data)
        return Response(CameoSerializer(cameo).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, cameo_id: int) -> Response:
        cameo = selectors.cameo_get_for_owner(owner=request.user, cameo_id=cameo_id)
        services.cameo_delete(cameo=cameo)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VerificationStartView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={201: AttemptSerializer})
    def post(self, request: Request, cameo_id: int) -> Response:
        cameo = selectors.cameo_get_for_owner(owner=request.user, cameo_id=cameo_id)
        attempt = services.verification_start(cameo=cameo)
        return Response(AttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


class VerificationUploadView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ClipUploadSerializer}, responses=AttemptSerializer
    )
    def post(self, request: Request, attempt_id: int) -> Response:
        attempt = selectors.attempt_get_for_owner(owner=request.user, attempt_id=attempt_id)
        serializer = ClipUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attempt = services.verification_upload(
            attempt=attempt, upload=serializer.validated_data["clip"]
        )
        return Response(AttemptSerializer(attempt).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=AttemptSerializer)
    def get(self, request: Request, attempt_id: int) -> Response:
        attempt = selectors.attempt_get_for_owner(owner=request.user, attempt_id=attempt_id)
        return Response(AttemptSerializer(attempt).data)


class UsagesView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=results_of(UsageSerializer, name="CameoUsageList"))
    def get(self, request: Request, cameo_id: int) -> Response:
        cameo = selectors.cameo_get_for_owner(owner=request.user, cameo_id=cameo_id)
        usages = selectors.usages_for_owner(cameo=cameo)
        return Response({"results": UsageSerializer(usages, many=True).data})


class UsageDeleteView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, usage_id: int) -> Response:
        usage = selectors.usage_get_for_owner(owner=request.user, usage_id=usage_id)
        services.usage_delete_clip(usage=usage)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RevokeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=RevokeSerializer, responses=CameoSerializer)
    def post(self, request: Request, cameo_id: int) -> Response:
        cameo = selectors.cameo_get_for_owner(owner=request.user, cameo_id=cameo_id)
        serializer = RevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        taken_down = services.cameo_revoke(cameo=cameo, **serializer.validated_data)
        return Response({**CameoSerializer(cameo).data, "taken_down": taken_down})
