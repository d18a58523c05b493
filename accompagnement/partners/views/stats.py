"""Placeholder: replaced by the real views."""

from django.http import Http404


def partner_stats(request, *args, **kwargs):
    raise Http404


def partner_stats_export(request, *args, **kwargs):
    raise Http404
