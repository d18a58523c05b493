"""Placeholder: replaced by the real views."""

from django.http import Http404


def action_list(request, *args, **kwargs):
    raise Http404


def action_create(request, *args, **kwargs):
    raise Http404


def action_update(request, *args, **kwargs):
    raise Http404


def action_import(request, *args, **kwargs):
    raise Http404


def coverage(request, *args, **kwargs):
    raise Http404


def follow_ups(request, *args, **kwargs):
    raise Http404


def follow_up_done(request, *args, **kwargs):
    raise Http404
