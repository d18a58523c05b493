from django.contrib import admin

from accompagnement.outbox.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "recipient",
        "to_address",
        "request",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["recipient", "request"]
    search_fields = ["recipient__email", "to_address", "request__reference", "key"]
    readonly_fields = ["key", "recipient", "to_address", "request", "message", "context"]
