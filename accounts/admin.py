from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import ApiToken, DataExport, Follow, Notification, OutgoingEmail, User


@admin.register(User)
class ReverieUserAdmin(UserAdmin):
    list_display = ["username", "display_name", "email", "is_staff", "is_active", "date_joined"]
    search_fields = ["username", "display_name", "email"]
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Profile", {"fields": ["display_name", "bio", "email_verified_at"]}),
        ("Deletion", {"fields": ["deletion_requested_at", "deleted_at"]}),
    )
    readonly_fields = ["deletion_requested_at", "deleted_at"]


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens by prefix only (the secret is never stored); deleting one revokes it."""

    list_display = ["prefix", "user", "name", "created_at", "expires_at", "last_used_at"]
    search_fields = ["user__username", "prefix", "name"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at"]
    exclude = ["digest"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The outbox: what was sent, what still waits, and why a message failed."""

    list_display = ["kind", "user", "to_address", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = ["kind", "sent_at"]
    search_fields = ["user__username", "to_address"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "size", "created_at", "finished_at", "expires_at"]
    list_filter = ["status"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in DataExport._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
