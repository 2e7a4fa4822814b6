from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views, views_account

app_name = "accounts"
urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("welcome/", views.welcome_page, name="welcome"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("settings/profile/", views.settings_page, name="settings"),
    path("settings/account/", views_account.account_page, name="account"),
    path("settings/account/email/", views_account.email_change_page, name="email_change"),
    path("settings/account/email/verify/", views_account.email_verify_send_page,
         name="email_verify_send"),
    path("settings/account/tokens/", views_account.token_create_page, name="token_create"),
    path("settings/account/tokens/<int:token_id>/revoke/", views_account.token_revoke_page,
         name="token_revoke"),
    path("settings/data/", views_account.account_page, name="data"),
    path("settings/data/export/", views_account.export_request_page, name="export_request"),
    path("settings/data/exports/<int:export_id>/download/", views_account.export_download_page,
         name="export_download"),
    path("settings/account/delete/", views_account.account_delete_page, name="account_delete"),
    path("settings/password/", views_account.PasswordChangeView.as_view(),
         name="password_change"),
    path("accounts/email/confirm/<str:token>/", views_account.email_confirm_page,
         name="email_confirm"),
    path("accounts/password/reset/", views_account.PasswordResetView.as_view(),
         name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html"), name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/",
         views_account.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("accounts/password/reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"), name="password_reset_complete"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("@<str:handle>/", views.profile_page, name="profile"),
    path("@<str:handle>/relation/", views.relation_action, name="relation"),
]  # fmt: skip
