"""Styled error pages in every mode: with DEBUG on, Django answers a 404/403/500 with its
technical page (URL list, traceback); users get ours unless a developer asks for Django's with
DEBUG_ERROR_PAGES=true. With DEBUG off, Django already uses our 404.html/403.html/500.html."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

ERROR_TEMPLATES = {400: "400.html", 403: "403.html", 404: "404.html", 500: "500.html"}


class FriendlyErrorPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not settings.DEBUG or settings.DEBUG_ERROR_PAGES:
            return response
        template = ERROR_TEMPLATES.get(response.status_code)
        if (
            template is None
            or response.streaming
            or request.path.startswith("/api/")
            or not response.get("Content-Type", "").startswith("text/html")
            or request.headers.get("HX-Request")  # htmx fragments keep their own error text
        ):
            return response
        # 500.html renders without a request, as Django's own server_error view does.
        context_request = None if response.status_code == 500 else request
        body = render_to_string(template, request=context_request)
        # The outer middleware (CSP, locale) still adds its headers to this response.
        return HttpResponse(body, status=response.status_code)
