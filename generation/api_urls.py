from django.urls import path

from generation import api

urlpatterns = [
    path("provenance/check", api.ProvenanceCheckView.as_view(), name="api-provenance-check"),
    path("generations", api.GenerationListCreateView.as_view(), name="api-generations"),
    path("generations/quote", api.GenerationQuoteView.as_view(), name="api-generation-quote"),
    path(
        "generations/webhooks/<slug:backend>",
        api.GenerationWebhookView.as_view(),
        name="api-generation-webhook",
    ),
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
