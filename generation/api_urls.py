from django.urls import path

from generation import api

urlpatterns = [
    path("provenance/check", api.ProvenanceCheckView.as_view(), name="api-provenance-check"),
    path("generations", api.GenerationListCreateView.as_view(), name="api-generations"),
    path("generations/<uuid:job_id>", api.GenerationDetailView.as_view(), name="api-generation"),
    path(
        "generations/<uuid:job_id>/cancel",
        api.GenerationCancelView.as_view(),
        name="api-generation-cancel",
    ),
    path(
        "generations/<uuid:job_id>/publish",
        api.GenerationPublishView.as_view(),
        name="api-generation-publish",
    ),
]
