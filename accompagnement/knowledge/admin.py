from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accompagnement.core.forms import ddi_kinds_field
from accompagnement.knowledge.models import Article
from accompagnement.knowledge.services import article_update_search

# ---------------------------------------------------------------------------- knowledge base


class ArticleAdminForm(forms.ModelForm):
    ddi_kinds = ddi_kinds_field(_("types de DDI concernés"))

    class Meta:
        model = Article
        fields = [
            "kind",
            "title",
            "slug",
            "summary",
            "body",
            "axis",
            "categories",
            "programmes",
            "ddi_kinds",
            "status",
            "author",
            "reviewed_on",
        ]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Articles are written at /ressources/; the admin is for corrections."""

    form = ArticleAdminForm
    list_display = ["title", "kind", "axis", "status", "author", "updated_at"]
    list_filter = ["status", "kind", "axis"]
    list_select_related = ["author"]
    search_fields = ["title", "summary"]
    filter_horizontal = ["categories", "programmes"]
    raw_id_fields = ["author"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article_update_search(form.instance)
