from django.urls import path

from feed import api

urlpatterns = [
    path("feed", api.FeedView.as_view(), name="api-feed"),
    path("feed/for-you", api.ForYouView.as_view(), name="api-feed-for-you"),
    path("feed/following", api.FollowingView.as_view(), name="api-feed-following"),
    path("videos/<int:video_id>", api.VideoDetailView.as_view(), name="api-video"),
    path("videos/<int:video_id>/like", api.LikeView.as_view(), name="api-video-like"),
    path("videos/<int:video_id>/comments", api.CommentsView.as_view(), name="api-video-comments"),
    path("videos/<int:video_id>/views", api.ViewRecordView.as_view(), name="api-video-views"),
    path("videos/<int:video_id>/report", api.ReportView.as_view(), name="api-video-report"),
    path(
        "videos/<int:video_id>/less-like-this",
        api.LessLikeThisView.as_view(),
        name="api-video-less",
    ),
    path("videos/<int:video_id>/remixes", api.RemixesView.as_view(), name="api-video-remixes"),
    path("comments/<int:comment_id>", api.CommentDetailView.as_view(), name="api-comment"),
    path("search", api.SearchView.as_view(), name="api-search"),
    path("tags/<str:tag>", api.TagView.as_view(), name="api-tag"),
    path("trending", api.TrendingView.as_view(), name="api-trending"),
]
