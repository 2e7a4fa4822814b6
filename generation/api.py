"""Generation API: create (idempotent), list, read, cancel and publish jobs."""

from __future__ import annotations

from dataclasses import asdict
from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_errors import ErrorSerializer
from config.schema import results_of
from config.throttling import ActionThrottle
from credits.services import balance_for
from feed.serializers import VideoSerializer
from feed.services import video_publish
from generation import selectors, services
from generation.attempts import webhook_receive
from generation.backends.base import WebhookRejected
from generation.serializers import (
    JobCreateSerializer,
    JobPublishSerializer,
    JobSerializer,
    ProvenanceCheckSerializer,
    ProvenanceUploadSerializer,
    QuoteRequestSerializer,
    RouteQuoteSerializer,
)

IDEMPOTENCY_HEADER = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    description="Repeat a request with the same key to get the same job instead of a new one.",
)


class GenerationListCreateView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [ActionThrottle]
    throttle_scope = "generate"

    @extend_schema(
        operation_id="v1_generations_list", responses=results_of(JobSerializer, name="JobList")
    )
    def get(self, request: Request) -> Response:
        jobs = selectors.jobs_for_owner(user=request.user)[:50]
        return Response({"results": JobSerializer(jobs, many=True).data})

    @extend_schema(
        request=JobCreateSerializer,
        responses={201: JobSerializer, 200: JobSerializer},
        parameters=[IDEMPOTENCY_HEADER],
    )
    def post(self, request: Request) -> Response:
        serializer = JobCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key", "").strip()[:128] or None
        job, created = services.job_create(
            owner=request.user,
            request=services.JobRequest(**serializer.validated_data),
            idempotency_key=key,
        )
        return Response(
            JobSerializer(job).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class GenerationDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=JobSerializer)
    def get(self, request: Request, job_id: UUID) -> Response:
        job = selectors.job_get_for_owner(user=request.user, job_id=job_id)
        return Response(JobSerializer(job).data)

    @extend_schema(
        request=None,
        responses={204: None, 404: ErrorSerializer, 409: ErrorSerializer},
        description="Delete a finished draft and its files (409 while it is still being made).",
    )
    def delete(self, request: Request, job_id: UUID) -> Response:
        job = selectors.job_get_for_owner(user=request.user, job_id=job_id)
        services.job_delete(job=job)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GenerationCancelView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=JobSerializer)
    def post(self, request: Request, job_id: UUID) -> Response:
        job = selectors.job_get_for_owner(user=request.user, job_id=job_id)
        return Response(JobSerializer(services.job_cancel(job=job)).data)


class GenerationPublishView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=JobPublishSerializer, responses={201: VideoSerializer})
    def post(self, request: Request, job_id: UUID) -> Response:
        job = selectors.job_get_for_owner(user=request.user, job_id=job_id)
        serializer = JobPublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        video, created = video_publish(
            job=job, user=request.user, caption=serializer.validated_data["caption"]
        )
        return Response(
            VideoSerializer(video, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class GenerationQuoteView(APIView):
    """Each eligible backend's price and expected time for a clip, and the one the policy picks."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(request=QuoteRequestSerializer, responses=RouteQuoteSerializer)
    def post(self, request: Request) -> Response:
        serializer = QuoteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        balance = (
            balance_for(user=request.user).available if request.user.is_authenticated else None
        )
        return Response(
            selectors.route_quote(
                balance=balance,
                compare_backends=request.user.is_staff,
                **serializer.validated_data,
            )
        )


class GenerationWebhookView(APIView):
    """Providers' completion callbacks. Only the signature decides: forged, stale or unknown
    deliveries get 400 and change nothing; a valid one makes the job's next poll happen now."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []
    throttle_classes: list[type] = []

    @extend_schema(request=None, responses={200: None, 400: None})
    def post(self, request: Request, backend: str) -> Response:
        headers = {key.lower(): value for key, value in request.headers.items()}
        try:
            webhook_receive(backend_name=backend, headers=headers, body=request.body)
        except WebhookRejected as exc:
            return Response(
                {"detail": str(exc) or "Invalid delivery.", "code": "webhook_rejected"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"ok": True})


class ProvenanceCheckView(APIView):
    """Upload a clip; learn whether it is a valid Reverie clip, tampered with, or unsigned."""

    permission_classes = [permissions.AllowAny]
    parser_classes = [MultiPartParser]
    # Throttled in initial(), before the body is parsed; the size limit is config/uploads.py's.
    throttle_classes = [ActionThrottle]
    throttle_scope = "check"

    @extend_schema(
        request={"multipart/form-data": ProvenanceUploadSerializer},
        responses=ProvenanceCheckSerializer,
    )
    def post(self, request: Request) -> Response:
        serializer = ProvenanceUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = selectors.provenance_check_upload(upload=serializer.validated_data["file"])
        return Response(ProvenanceCheckSerializer(asdict(result)).data)
