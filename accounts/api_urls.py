from django.urls import path

from accounts import api

urlpatterns = [
    path("auth/token", api.TokenObtainView.as_view(), name="api-token"),
    path("me", api.MeView.as_view(), name="api-me"),
    path("me/avatar", api.AvatarView.as_view(), name="api-me-avatar"),
    path("users/<str:handle>", api.ProfileView.as_view(), name="api-profile"),
    path("users/<str:handle>/videos", api.ProfileVideosView.as_view(), name="api-profile-videos"),
    path("users/<str:handle>/follow", api.FollowView.as_view(), name="api-follow"),
    path("notifications", api.NotificationsView.as_view(), name="api-notifications"),
    path("notifications/read", api.NotificationsReadView.as_view(), name="api-notifications-read"),
]
