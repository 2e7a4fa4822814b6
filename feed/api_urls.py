from django.urls import path

from feed import api

urlpatterns = [
    path("feed", api.FeedView.as_view(), name="api-feed"),
    path("videos/<int:video_id>", api.VideoDetailView.as_view(), name="api-video"),
]
