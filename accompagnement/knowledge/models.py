"""The knowledge base: FAQ entries, good-practice sheets and guides, filed by axis.

DDI kinds are kept as a JSON list (like `Milestone.ddi_kinds`) so that the same model runs
on SQLite and PostgreSQL; the full-text vector is PostgreSQL-only and written by
`services.article_update_search`.
"""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accompagnement.axes.models import Axis


class ArticleKind(models.TextChoices):
    FAQ = "faq", _("FAQ")
    PRACTICE = "practice", _("Fiche bonnes pratiques")
    GUIDE = "guide", _("Guide")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publié")
    ARCHIVED = "archived", _("Archivé")


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ArticleStatus.PUBLISHED)


class Article(models.Model):
    kind = models.CharField(_("nature"), max_length=10, choices=ArticleKind.choices)
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("adresse"), max_length=80, unique=True)
    summary = models.CharField(
        _("résumé"), max_length=300, help_text=_("Une ou deux phrases, montrées dans les listes.")
    )
    body = models.TextField(_("texte"), help_text=_("Markdown : titres, listes, liens, tableaux."))
    axis = models.CharField(_("axe"), max_length=20, choices=Axis.choices)
    categories = models.ManyToManyField(
        "accompagnement.Category",
        related_name="articles",
        blank=True,
        verbose_name=_("catégories"),
    )
    programmes = models.ManyToManyField(
        "ddi.Programme",
        related_name="articles",
        blank=True,
        verbose_name=_("programmes concernés"),
        help_text=_("Vide : tous les programmes."),
    )
    ddi_kinds = models.JSONField(
        _("types de DDI concernés"), default=list, blank=True, help_text=_("Vide : tous les types.")
    )
    status = models.CharField(
        _("état"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("auteur"),
    )
    reviewed_on = models.DateField(_("dernière relecture le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)
    # PostgreSQL full-text search (French); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-updated_at", "pk"]
        indexes = [
            models.Index(fields=["status", "-updated_at"], name="article_status_updated"),
            GinIndex(fields=["search_vector"], name="article_search_vector"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ArticleStatus.values), name="article_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ArticleKind.values), name="article_kind_valid"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:detail", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class SuggestionFollow(models.Model):
    """An agent opened an article suggested while filing a request.

    Whether the agent then filed a request anyway is read from `SupportRequest` afterwards
    (`selectors.suggestion_follow_figures`).
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="follows", verbose_name=_("article")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="suggestion_follows",
        verbose_name=_("agent"),
    )
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("suggestion suivie")
        verbose_name_plural = _("suggestions suivies")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"], name="suggestion_follow_created")]

    def __str__(self):
        return f"{self.user_id} → {self.article_id}"
