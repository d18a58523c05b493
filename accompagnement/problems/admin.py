from django.contrib import admin

from accompagnement.problems.models import Problem, ProblemAnswer

# ---------------------------------------------------------------------------- problems


class ProblemAnswerInline(admin.StackedInline):
    model = ProblemAnswer
    extra = 0
    fields = ("author", "body", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    """Read-mostly: problems are grouped, answered and resolved at /equipe/problemes/, where
    every request they touch gets its reply, event and e-mail."""

    list_display = ["title", "status", "category", "programme", "created_by", "created_at"]
    list_filter = ["status", "category__axis"]
    list_select_related = ["category", "programme", "created_by"]
    search_fields = ["title", "description"]
    date_hierarchy = "created_at"
    fields = [
        "title",
        "description",
        "category",
        "programme",
        "status",
        "created_by",
        "created_at",
        "resolved_at",
        "article",
    ]
    readonly_fields = [
        "category",
        "programme",
        "status",
        "created_by",
        "created_at",
        "resolved_at",
        "article",
    ]
    inlines = [ProblemAnswerInline]

    def has_add_permission(self, request):
        return False
