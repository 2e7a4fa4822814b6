from django.urls import path

from feed import views

app_name = "feed"
urlpatterns = [
    path("", views.home, name="home"),
    path("v/<int:video_id>/", views.video_page, name="video"),
    path("v/<int:video_id>/captions.vtt", views.captions, name="captions"),
    path("v/<int:video_id>/delete/", views.video_delete_page, name="video-delete"),
    path("v/<int:video_id>/comments/", views.comments_drawer, name="comments"),
    path("search/", views.search_page, name="search"),
    path("tags/<str:tag>/", views.tag_page, name="tag"),
]
