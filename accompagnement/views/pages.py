from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def accessibility(request):
    """Public: the accessibility statement (RGAA), linked from every page's footer."""
    return render(request, "accompagnement/accessibility.html")
