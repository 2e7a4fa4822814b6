from django.urls import path

from likeness import views

app_name = "likeness"
urlpatterns = [
    path("cameo/", views.my_cameos_page, name="mine"),
    path("cameo/<int:cameo_id>/verify/", views.verify_page, name="verify"),
    path("moderation/verifications/<int:attempt_id>/<str:what>", views.verification_media,
         name="verification-media"),
]  # fmt: skip
