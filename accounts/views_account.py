"""Account pages: the account settings page (e-mail, password, API tokens, data export,
deletion), password reset by e-mail, and e-mail confirmation links."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import exports, lifecycle, tokens
from config.api_errors import http_status_for
from config.errors import DomainError, NotFound
from config.media import stored_file_response
from config.storage import private_storage
from config.throttling import RateLimited, client_ip, hit


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("New e-mail address"))
    password = forms.CharField(label=gettext_lazy("Your password"), widget=forms.PasswordInput)


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Your password"), widget=forms.PasswordInput)


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=60, required=False)
    expires_in_days = forms.IntegerField(
        label=gettext_lazy("Expires after (days, 0 = never)"), min_value=0,
        max_value=tokens.MAX_TOKEN_DAYS, required=False,
    )  # fmt: skip


def _page(request: HttpRequest, status: int = 200, **forms_in: Any) -> HttpResponse:
    user = request.user
    context = {
        "email_form": forms_in.get("email_form") or EmailChangeForm(),
        "delete_form": forms_in.get("delete_form") or PasswordConfirmForm(),
        "token_form": forms_in.get("token_form") or TokenCreateForm(),
        "api_tokens": list(tokens.api_tokens_for_user(user=user)[:100]),
        "new_token": request.session.pop("new_api_token", None),
        "exports": list(exports.exports_for_user(user=user)[:10]),
        "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
    }
    return render(request, "accounts/account.html", context, status=status)


@login_required
def account_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def email_change_page(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST)
    try:
        hit(scope="email_change", ident=str(request.user.pk))
    except RateLimited as limited:
        form.add_error(None, limited.message)
        return _page(request, status=429, email_form=form)
    if form.is_valid():
        try:
            address = lifecycle.email_change_request(
                user=request.user, new_email=form.cleaned_data["email"],
                password=form.cleaned_data["password"], base_url=_base_url(request),
            )  # fmt: skip
        except DomainError as exc:
            for field, problems in exc.fields.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(
                request, _("We sent a confirmation link to %(address)s.") % {"address": address}
            )
            return redirect("accounts:account")
    return _page(request, status=400, email_form=form)


@login_required
@require_POST
def email_verify_send_page(request: HttpRequest) -> HttpResponse:
    lifecycle.email_verification_send(user=request.user, base_url=_base_url(request))
    messages.success(request, _("We sent a confirmation link to %(address)s.")
                     % {"address": request.user.email})  # fmt: skip
    return redirect("accounts:account")


def email_confirm_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners prefetch links); POST confirms."""
    if request.method == "POST":
        try:
            user = lifecycle.email_confirm(token=token)
        except DomainError as exc:
            return render(request, "accounts/email_confirm.html", {"error": exc.message},
                          status=400)  # fmt: skip
        return render(request, "accounts/email_confirm.html", {"confirmed": user.email})
    return render(request, "accounts/email_confirm.html", {"token": token})


@login_required
@require_POST
def token_create_page(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, token_form=form)
    days = form.cleaned_data.get("expires_in_days")
    _token, secret = tokens.api_token_create(
        user=request.user, name=form.cleaned_data.get("name", ""), days=days
    )
    # Shown once, on the next page load, then gone from the session.
    request.session["new_api_token"] = secret
    return redirect("accounts:account")


@login_required
@require_POST
def token_revoke_page(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        tokens.api_token_revoke(user=request.user, token_id=token_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:account")


@login_required
@require_POST
def export_request_page(request: HttpRequest) -> HttpResponse:
    try:
        hit(scope="export", ident=str(request.user.pk))
    except RateLimited as limited:
        messages.error(request, limited.message)
        return redirect("accounts:account")
    _export, created = exports.export_request(user=request.user, base_url=_base_url(request))
    if created:
        messages.success(
            request, _("Your export is being built; we will tell you when it is ready.")
        )
    else:
        messages.info(request, _("Your export is already being built."))
    return redirect("accounts:account")


@login_required
def export_download_page(request: HttpRequest, export_id: int) -> HttpResponse:
    try:
        export = exports.export_get_for_download(user=request.user, export_id=export_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        return render(request, "accounts/export_gone.html", {"error": exc.message},
                      status=http_status_for(exc))  # fmt: skip
    response = stored_file_response(request, private_storage(), export.file.name, private=True)
    response["Content-Disposition"] = f'attachment; filename="reverie-export-{export.pk}.zip"'
    return response


@login_required
@require_POST
def account_delete_page(request: HttpRequest) -> HttpResponse:
    form = PasswordConfirmForm(request.POST)
    if form.is_valid():
        try:
            due = lifecycle.account_deletion_request(
                user=request.user, password=form.cleaned_data["password"],
                base_url=_base_url(request),
            )  # fmt: skip
        except DomainError as exc:
            for problem in exc.fields.get("password", [exc.message]):
                form.add_error("password", problem)
        else:
            logout(request)
            return render(request, "accounts/deletion_scheduled.html", {"erase_after": due})
    return _page(request, status=400, delete_form=form)


class ReverieResetForm(PasswordResetForm):
    """Django's form, but the message goes through the outbox and a Celery task."""

    def save(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        request = kwargs.get("request")
        lifecycle.password_reset_request(
            email=self.cleaned_data["email"], base_url=_base_url(request) if request else ""
        )


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = ReverieResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            hit(scope="password_reset", ident=client_ip(request))
        except RateLimited as limited:
            context = {"form": self.get_form(), "throttled": limited.message}
            response = render(request, self.template_name, context, status=429)
            response["Retry-After"] = str(limited.retry_after)
            return response
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        lifecycle.password_reset_completed(user=form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        lifecycle.password_changed_notify(user=form.user, base_url=_base_url(self.request))
        messages.success(self.request, _("Your password was changed."))
        return response
