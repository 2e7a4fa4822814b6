"""Top-level URLs: pages, the v1 API, the schema and docs, the admin and local media."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.media import serve_public_media
from config.views import healthz

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("generation.api_urls")),
    path("", include("feed.api_urls")),
    path("", include("credits.api_urls")),
    path("", include("likeness.api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file, so the docs work under the CSP too.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("", include("accounts.urls")),
    path("", include("generation.urls")),
    path("", include("credits.urls")),
    path("", include("likeness.urls")),
    path("", include("feed.urls")),
]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(re_path(rf"^{media_prefix}(?P<path>.+)$", serve_public_media, name="media"))

handler404 = "config.views.not_found"
