"""Top-level URLs: pages, the v1 API, the schema and docs, the admin and local media."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.health import ReadinessView
from config.media import serve_public_media
from config.metrics import metrics_view
from config.views import favicon, healthz, manifest

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("generation.api_urls")),
    path("", include("feed.api_urls")),
    path("", include("credits.api_urls")),
    path("", include("likeness.api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", ReadinessView.as_view(), name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("favicon.ico", favicon, name="favicon"),
    path("manifest.webmanifest", manifest, name="manifest"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
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
handler400 = "config.views.bad_request"
handler403 = "config.views.forbidden"
handler500 = "config.views.server_error"
