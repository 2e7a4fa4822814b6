from django.urls import path

from generation import views

app_name = "generation"
urlpatterns = [
    path("create/", views.create_page, name="create"),
    path("drafts/", views.drafts_page, name="drafts"),
    path("check/", views.check_page, name="check"),
    path("drafts/<uuid:job_id>/delete/", views.draft_delete_page, name="draft-delete"),
    path("drafts/<uuid:job_id>/<str:filename>", views.draft_media, name="draft-media"),
]
