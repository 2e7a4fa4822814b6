from django.urls import path

from accounts import api, api_account

urlpatterns = [
    path("auth/token", api.TokenObtainView.as_view(), name="api-token"),
    path("me", api.MeView.as_view(), name="api-me"),
    path("me/avatar", api.AvatarView.as_view(), name="api-me-avatar"),
    path("me/tokens", api_account.ApiTokensView.as_view(), name="api-me-tokens"),
    path("me/tokens/<int:token_id>", api_account.ApiTokenDetailView.as_view(), name="api-me-token"),
    path("me/password", api_account.PasswordChangeView.as_view(), name="api-me-password"),
    path("me/email", api_account.EmailChangeView.as_view(), name="api-me-email"),
    path("me/exports", api_account.ExportsView.as_view(), name="api-me-exports"),
    path(
        "me/exports/<int:export_id>", api_account.ExportDetailView.as_view(), name="api-me-export"
    ),
    path(
        "me/exports/<int:export_id>/download",
        api_account.ExportDownloadView.as_view(),
        name="api-me-export-download",
    ),
    path("auth/email/confirm", api_account.EmailConfirmView.as_view(), name="api-email-confirm"),
    path("auth/password-reset", api_account.PasswordResetView.as_view(), name="api-password-reset"),
    path(
        "auth/password-reset/confirm",
        api_account.PasswordResetConfirmView.as_view(),
        name="api-password-reset-confirm",
    ),
    path("users/<str:handle>", api.ProfileView.as_view(), name="api-profile"),
    path("users/<str:handle>/videos", api.ProfileVideosView.as_view(), name="api-profile-videos"),
    path("users/<str:handle>/follow", api.FollowView.as_view(), name="api-follow"),
    path("users/<str:handle>/block", api.BlockView.as_view(), name="api-block"),
    path("users/<str:handle>/mute", api.MuteView.as_view(), name="api-mute"),
    path("notifications", api.NotificationsView.as_view(), name="api-notifications"),
    path("notifications/read", api.NotificationsReadView.as_view(), name="api-notifications-read"),
]
