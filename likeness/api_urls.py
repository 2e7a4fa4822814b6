from django.urls import path

from likeness import api

urlpatterns = [
    path("cameos", api.CameoListView.as_view(), name="api-cameos"),
    path("cameos/<int:cameo_id>", api.CameoDetailView.as_view(), name="api-cameo"),
    path("cameos/<int:cameo_id>/verification", api.VerificationStartView.as_view(),
         name="api-cameo-verify"),
    path("cameos/<int:cameo_id>/usages", api.UsagesView.as_view(), name="api-cameo-usages"),
    path("cameos/<int:cameo_id>/revoke", api.RevokeView.as_view(), name="api-cameo-revoke"),
    path("verifications/<int:attempt_id>", api.VerificationUploadView.as_view(),
         name="api-verification"),
    path("cameo-usages/<int:usage_id>", api.UsageDeleteView.as_view(), name="api-cameo-usage"),
]  # fmt: skip
