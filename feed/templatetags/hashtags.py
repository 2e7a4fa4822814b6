"""`{{ text|hashtag_links }}`: the text escaped, its #tags links to their pages."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from feed.hashtags import linkify_hashtags

register = template.Library()


@register.filter
def hashtag_links(text: str) -> SafeString:
    return linkify_hashtags(text)
