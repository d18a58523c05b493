"""Placeholder: replaced by the real views."""

from django.http import Http404


def escalate(request, *args, **kwargs):
    raise Http404


def redirect_out(request, *args, **kwargs):
    raise Http404


def escalation_reference(request, *args, **kwargs):
    raise Http404


def escalation_answer(request, *args, **kwargs):
    raise Http404
