from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import Follow, Notification, User


@admin.register(User)
class ReverieUserAdmin(UserAdmin):
    list_display = ["username", "display_name", "email", "is_staff", "is_active", "date_joined"]
    search_fields = ["username", "display_name", "email"]
    fieldsets = (*UserAdmin.fieldsets, ("Profile", {"fields": ["display_name", "bio"]}))


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["follower", "followee", "created_at"]
    search_fields = ["follower__username", "followee__username"]
    list_select_related = ["follower", "followee"]
    raw_id_fields = ["follower", "followee"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "actor", "kind", "video", "created_at", "read_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["recipient__username", "actor__username"]
    list_select_related = ["recipient", "actor", "video"]
    raw_id_fields = ["recipient", "actor", "video", "comment"]
