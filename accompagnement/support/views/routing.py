"""The routing page (`/equipe/regles/`): the rules that assign new requests and the
automatic assignment switch. The team reads it; the pilot edits it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accompagnement.accounts import roles
from accompagnement.accounts.selectors import absent_until
from accompagnement.support.forms.routing import AutoAssignForm, RoutingRuleForm
from accompagnement.support.selectors import routing as routing_selectors
from accompagnement.support.services.routing import (
    routing_rule_delete,
    routing_rule_save,
    team_settings_update,
)
from accompagnement.support.team_models import RoutingRule, TeamSettings


@roles.role_required(roles.is_team)
@require_GET
def routing_rules(request):
    auto_assign = TeamSettings.current().auto_assign
    can_edit = routing_selectors.can_edit_routing(request.user)
    switch = AutoAssignForm(
        initial={"auto_assign": AutoAssignForm.ON if auto_assign else AutoAssignForm.OFF}
    )
    rules = list(routing_selectors.routing_rules())
    away = absent_until(timezone.localdate())
    for rule in rules:
        for member in rule.members.all():
            member.absent_until = away.get(member.pk)
    return render(
        request,
        "support/routing_rules.html",
        {
            "rules": rules,
            "auto_assign": auto_assign,
            "can_edit": can_edit,
            "switch": switch if can_edit else None,
        },
    )


def _rule_form_page(request, form, rule=None):
    return render(
        request,
        "support/routing_rule_form.html",
        {"form": form, "rule": rule},
        status=400 if form.errors else 200,
    )


def _save(request, form, rule=None):
    data = form.cleaned_data
    try:
        saved = routing_rule_save(
            user=request.user,
            rule=rule,
            name=data["name"],
            position=data["position"],
            is_active=data["is_active"],
            axis=data["axis"],
            category=data["category"],
            programme=data["programme"],
            ddi_kind=data["ddi_kind"],
            members=list(data["members"]),
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    return saved


@roles.role_required(routing_selectors.can_edit_routing)
@require_http_methods(["GET", "POST"])
def routing_rule_create(request):
    members = routing_selectors.routing_members()
    if request.method == "POST":
        form = RoutingRuleForm(request.POST, members=members)
        if form.is_valid() and (rule := _save(request, form)) is not None:
            messages.success(request, _("Règle « %(name)s » créée.") % {"name": rule.name})
            return redirect("support:routing_rules")
    else:
        form = RoutingRuleForm(members=members)
    return _rule_form_page(request, form)


@require_http_methods(["GET", "POST"])
def routing_rule_update(request, pk):
    rule = routing_selectors.get_routing_rule_for(request.user, pk)
    members = routing_selectors.routing_members()
    if request.method == "POST":
        form = RoutingRuleForm(request.POST, members=members)
        if form.is_valid() and _save(request, form, rule) is not None:
            messages.success(request, _("Règle « %(name)s » modifiée.") % {"name": rule.name})
            return redirect("support:routing_rules")
    else:
        form = RoutingRuleForm(
            members=members,
            initial={
                "name": rule.name,
                "position": rule.position,
                "is_active": rule.is_active,
                "axis": rule.axis,
                "category": rule.category_id,
                "programme": rule.programme_id,
                "ddi_kind": rule.ddi_kind,
                "members": [member.pk for member in rule.members.all()],
            },
        )
    return _rule_form_page(request, form, rule)


@require_POST
def routing_rule_remove(request, pk):
    rule: RoutingRule = routing_selectors.get_routing_rule_for(request.user, pk)
    routing_rule_delete(user=request.user, rule=rule)
    messages.success(request, _("Règle « %(name)s » supprimée.") % {"name": rule.name})
    return redirect("support:routing_rules")


@roles.role_required(routing_selectors.can_edit_routing)
@require_POST
def auto_assign_switch(request):
    form = AutoAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez comment les nouvelles demandes sont attribuées."))
        return redirect("support:routing_rules")
    on = form.cleaned_data["auto_assign"] == AutoAssignForm.ON
    team_settings_update(user=request.user, auto_assign=on)
    if on:
        messages.success(
            request, _("Les nouvelles demandes sont désormais attribuées automatiquement.")
        )
    else:
        messages.success(
            request,
            _(
                "Les nouvelles demandes ne sont plus attribuées automatiquement : les règles "
                "proposent un membre, un membre de l’équipe confirme sur la page de la demande."
            ),
        )
    return redirect("support:routing_rules")
