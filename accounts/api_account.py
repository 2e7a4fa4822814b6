"""Account API beyond the profile: API tokens, password and e-mail, deletion and data export."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import exports, lifecycle, tokens
from accounts.models import ApiToken, DataExport, ExportStatus
from accounts.serializers import StrictSerializer
from config.api_errors import ErrorSerializer
from config.errors import NotFound
from config.media import stored_file_response
from config.schema import results_of
from config.storage import private_storage
from config.throttling import ActionThrottle

# --- Serializers -------------------------------------------------------------------------------


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at"]
        read_only_fields = fields


class ApiTokenCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    expires_in_days = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=tokens.MAX_TOKEN_DAYS,
        help_text="0: never expires; unset: the server's default (API_TOKEN_TTL_DAYS).",
    )  # fmt: skip


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text="The secret; shown only this once.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class PasswordSerializer(StrictSerializer):
    password = serializers.CharField(style={"input_type": "password"})


class PasswordChangeSerializer(StrictSerializer):
    old_password = serializers.CharField(style={"input_type": "password"})
    new_password = serializers.CharField(style={"input_type": "password"})


class EmailChangeSerializer(StrictSerializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(style={"input_type": "password"})


class EmailConfirmSerializer(StrictSerializer):
    token = serializers.CharField(max_length=500)


class PasswordResetSerializer(StrictSerializer):
    email = serializers.CharField(max_length=254)


class PasswordResetConfirmSerializer(StrictSerializer):
    uid = serializers.CharField(max_length=100)
    token = serializers.CharField(max_length=100)
    new_password = serializers.CharField(style={"input_type": "password"})


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class DeletionScheduledSerializer(serializers.Serializer):
    detail = serializers.CharField()
    erase_after = serializers.DateTimeField()


class DataExportSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DataExport
        fields = ["id", "status", "size", "created_at", "finished_at", "expires_at",
                  "download_url"]  # fmt: skip
        read_only_fields = fields

    def get_download_url(self, export: DataExport) -> str | None:
        if export.status != ExportStatus.READY:
            return None
        return reverse("api-me-export-download", args=[export.pk])


def _base_url(request: Request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# --- Tokens ------------------------------------------------------------------------------------


class ApiTokensView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: results_of(ApiTokenSerializer, name="ApiTokenList"), 401: ErrorSerializer}
    )
    def get(self, request: Request) -> Response:
        rows = tokens.api_tokens_for_user(user=request.user)[:200]
        return Response({"results": ApiTokenSerializer(rows, many=True).data})

    @extend_schema(
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer, 400: ErrorSerializer, 401: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, secret = tokens.api_token_create(
            user=request.user, name=serializer.validated_data["name"],
            days=serializer.validated_data["expires_in_days"],
        )  # fmt: skip
        body = {**ApiTokenSerializer(token).data, "token": secret}
        return Response(body, status=status.HTTP_201_CREATED)


class ApiTokenDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None, 401: ErrorSerializer, 404: ErrorSerializer})
    def delete(self, request: Request, token_id: int) -> Response:
        tokens.api_token_revoke(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Password and e-mail -----------------------------------------------------------------------


class PasswordChangeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=PasswordChangeSerializer,
        responses={200: DetailSerializer, 400: ErrorSerializer, 401: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lifecycle.password_change(user=request.user, **serializer.validated_data)
        if isinstance(request.successful_authenticator, SessionAuthentication):
            update_session_auth_hash(request._request, request.user)  # stay logged in here
        return Response({"detail": _("Your password was changed.")})


class EmailChangeView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [ActionThrottle]
    throttle_scope = "email_change"

    @extend_schema(
        request=EmailChangeSerializer,
        responses={
            202: DetailSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            429: ErrorSerializer,
        },
        description="Sends a confirmation link to the new address; it becomes the account's "
        "address when the link is followed.",
    )
    def post(self, request: Request) -> Response:
        serializer = EmailChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = lifecycle.email_change_request(
            user=request.user, new_email=serializer.validated_data["email"],
            password=serializer.validated_data["password"], base_url=_base_url(request),
        )  # fmt: skip
        message = _("We sent a confirmation link to %(address)s.") % {"address": address}
        return Response({"detail": message}, status=status.HTTP_202_ACCEPTED)


class EmailConfirmView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=EmailConfirmSerializer, responses={200: DetailSerializer, 400: ErrorSerializer}
    )
    def post(self, request: Request) -> Response:
        serializer = EmailConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = lifecycle.email_confirm(token=serializer.validated_data["token"])
        return Response({"detail": _("%(address)s is confirmed.") % {"address": user.email}})


class PasswordResetView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [ActionThrottle]
    throttle_scope = "password_reset"

    @extend_schema(
        request=PasswordResetSerializer,
        responses={202: DetailSerializer, 400: ErrorSerializer, 429: ErrorSerializer},
        description="Always 202, whether or not an account has this address.",
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lifecycle.password_reset_request(
            email=serializer.validated_data["email"], base_url=_base_url(request)
        )
        message = _("If an account has this address, a reset link is on its way.")
        return Response({"detail": message}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        request=PasswordResetConfirmSerializer,
        responses={200: DetailSerializer, 400: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lifecycle.password_reset_confirm(
            uidb64=serializer.validated_data["uid"], token=serializer.validated_data["token"],
            new_password=serializer.validated_data["new_password"],
        )  # fmt: skip
        return Response({"detail": _("Your password was changed. You can log in now.")})


# --- Data export -------------------------------------------------------------------------------


class ExportsView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [ActionThrottle]
    throttle_scope = "export"

    @extend_schema(
        operation_id="v1_me_exports_list",
        responses={
            200: results_of(DataExportSerializer, name="DataExportList"),
            401: ErrorSerializer,
        },
    )
    def get(self, request: Request) -> Response:
        rows = exports.exports_for_user(user=request.user)[:20]
        return Response({"results": DataExportSerializer(rows, many=True).data})

    @extend_schema(
        request=None,
        responses={
            202: DataExportSerializer,
            200: DataExportSerializer,
            401: ErrorSerializer,
            429: ErrorSerializer,
        },
        description="Start building a ZIP of everything you have here (202), or get the one "
        "already being built (200). A notification and an e-mail say when it is ready.",
    )
    def post(self, request: Request) -> Response:
        export, created = exports.export_request(user=request.user, base_url=_base_url(request))
        return Response(
            DataExportSerializer(export).data,
            status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
        )


class ExportDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: DataExportSerializer, 401: ErrorSerializer, 404: ErrorSerializer}
    )
    def get(self, request: Request, export_id: int) -> Response:
        export = exports.exports_for_user(user=request.user).filter(pk=export_id).first()
        if export is None:
            raise NotFound(_("No such export."))
        return Response(DataExportSerializer(export).data)


class ExportDownloadView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={
            (200, "application/zip"): bytes,
            401: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer, 410: ErrorSerializer,
        },
        description="The ZIP (a redirect to a short-lived signed URL on S3). 410 once expired.",
    )  # fmt: skip
    def get(self, request: Request, export_id: int) -> Response:
        export = exports.export_get_for_download(user=request.user, export_id=export_id)
        response = stored_file_response(
            request._request, private_storage(), export.file.name, private=True
        )
        response["Content-Disposition"] = f'attachment; filename="reverie-export-{export.pk}.zip"'
        return response  # type: ignore[return-value]
