from django.contrib import admin

from accompagnement.axes.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "axis", "code", "position", "is_active"]
    list_filter = ["axis", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "code", "description"]
