from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("welcome/", views.welcome_page, name="welcome"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("settings/profile/", views.settings_page, name="settings"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("@<str:handle>/", views.profile_page, name="profile"),
]
