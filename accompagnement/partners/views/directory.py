"""Placeholder: replaced by the real views."""

from django.http import Http404


def partner_list(request, *args, **kwargs):
    raise Http404


def partner_create(request, *args, **kwargs):
    raise Http404


def partner_detail(request, *args, **kwargs):
    raise Http404


def partner_update(request, *args, **kwargs):
    raise Http404
