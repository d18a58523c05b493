"""The knowledge base at /ressources/: the list, an article, writing one, and the link of a
suggestion made while an agent types a request (the suggestions themselves are support's:
`support/views/requests.py`).

Access and reads go through `selectors.py` (`get_article_for`); writes through
`services.py`.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accompagnement.accounts import roles
from accompagnement.knowledge import selectors
from accompagnement.knowledge.forms import ArticleFilterForm, ArticleForm
from accompagnement.knowledge.services import (
    article_create,
    article_update,
    suggestion_follow_record,
)

LIST_PAGE_SIZE = 20


@require_safe
@roles.role_required(selectors.can_read_articles)
def resource_index(request):
    user = request.user
    # An agent first sees the articles that concern their direction.
    ddi = user.ddi if roles.is_agent(user) else None
    filters = ArticleFilterForm(request.GET or None, ddi=ddi)
    articles = selectors.articles_for_list(
        selectors.articles_visible_to(user), **filters.criteria()
    )
    paginator = Paginator(articles, LIST_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/index.html",
        {
            "filters": filters,
            "page_obj": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2),
            "ellipsis": paginator.ELLIPSIS,
            "can_write": selectors.can_write_articles(user),
            "follow_figures": selectors.suggestion_follow_figures()
            if selectors.can_see_suggestion_figures(user)
            else None,
            "follow_window_minutes": int(selectors.FOLLOW_WINDOW.total_seconds() // 60),
        },
    )


@require_safe
@roles.role_required(selectors.can_read_articles)
def resource_detail(request, slug):
    article = selectors.get_article_for(
        request.user, slug, queryset=selectors.article_page_queryset()
    )
    return render(
        request,
        "knowledge/detail.html",
        {"article": article, "can_write": selectors.can_write_articles(request.user)},
    )


@require_POST
@roles.role_required(selectors.can_read_articles)
def resource_follow(request, slug):
    """The button of a suggestion in the filing form (a POST, with the page's CSRF token:
    a GET, a prefetch or another site cannot record a follow): records that the agent
    opened the article (the measure of followed suggestions), then shows it."""
    article = selectors.get_article_for(request.user, slug)
    if roles.is_agent(request.user) and article.is_published:
        suggestion_follow_record(user=request.user, article=article)
    return redirect(article)


@require_http_methods(["GET", "POST"])
@roles.role_required(selectors.can_write_articles)
def resource_create(request):
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        article = article_create(author=request.user, **form.service_arguments())
        messages.success(request, _("L’article est enregistré."))
        return redirect(article)
    return render(request, "knowledge/form.html", {"form": form, "article": None})


@require_http_methods(["GET", "POST"])
@roles.role_required(selectors.can_write_articles)
def resource_update(request, slug):
    article = selectors.get_article_for(request.user, slug)
    form = ArticleForm(request.POST or None, article=article)
    if request.method == "POST" and form.is_valid():
        article_update(article=article, **form.service_arguments())
        messages.success(request, _("L’article est enregistré."))
        return redirect(article)
    return render(request, "knowledge/form.html", {"form": form, "article": article})
