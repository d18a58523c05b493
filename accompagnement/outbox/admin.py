from django.contrib import admin

from accompagnement.outbox.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "request", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["recipient", "request"]
    search_fields = ["recipient__email", "request__reference", "key"]
    readonly_fields = ["key", "recipient", "request", "message", "context"]
