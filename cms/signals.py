"""Cached public pages are forgotten whenever what they show may have changed."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from portal import page_cache


def forget_public_pages(sender=None, **kwargs):
    # After the commit: a visitor in between must not store the old page anew.
    transaction.on_commit(page_cache.bump)


def forget_when_site_content_changes(sender, **kwargs):
    """Pages, site settings, sites and redirects all shape public pages."""
    if issubclass(sender, (Page, Site)) or sender._meta.app_label in {
        "cms",
        "wagtailredirects",
    }:
        page_cache.bump()


def connect():
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(forget_public_pages, dispatch_uid=f"cms.forget.{id(signal)}")
    for signal in (post_save, post_delete):
        signal.connect(
            forget_when_site_content_changes,
            dispatch_uid=f"cms.forget_site.{id(signal)}",
        )
