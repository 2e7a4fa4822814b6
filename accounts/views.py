"""Account pages: sign up, log in, log out, profiles, profile settings and notifications."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import lifecycle, selectors, services
from accounts.forms import LoginForm, ProfileForm, SignUpForm
from accounts.serializers import profile_data
from config.errors import DomainError, NotFound
from config.throttling import RateLimited, client_ip, hit
from feed.selectors import liked_video_ids, profile_videos_page
from feed.serializers import videos_data


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("feed:home")
    if request.method == "POST":
        try:
            hit(scope="signup", ident=client_ip(request))
        except RateLimited as limited:
            response = render(
                request,
                "accounts/signup.html",
                {"form": SignUpForm(), "throttled": limited.message},
                status=429,
            )
            response["Retry-After"] = str(limited.retry_after)
            return response
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_create(
            handle=form.cleaned_data["handle"],
            password=form.cleaned_data["password"],
            email=form.cleaned_data["email"],
        )
        lifecycle.email_verification_send(
            user=user, base_url=request.build_absolute_uri("/").rstrip("/")
        )
        if settings.SIGNUP_EMAIL_VERIFICATION:
            return render(request, "accounts/verify_sent.html", {"address": user.email})
        login(request, user, backend="accounts.backends.HandleBackend")
        welcome = reverse("accounts:welcome")
        next_url = request.GET.get("next", "")
        if next_url and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            welcome += "?" + urlencode({"next": next_url})
        return redirect(welcome)
    status = 400 if form.errors else 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


LIKE_RETURN = re.compile(r"^/v/\d+/\?like=1$")


class LoginView(auth_views.LoginView):
    """Log-in. Repeated wrong passwords lock the handle and the address for a while: django-axes
    counts them through authenticate() and answers 429 (accounts/lockout.py)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Sent here by a like: say so, and that they'll be back on that clip.
        context["next_clip"] = bool(LIKE_RETURN.match(context.get("next") or ""))
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        # Logging in during an account's grace period keeps the account.
        if lifecycle.account_deletion_cancel(user=form.get_user()):
            messages.success(self.request, _("Welcome back: your account will not be deleted."))
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("feed:home")


@login_required
def welcome_page(request: HttpRequest) -> HttpResponse:
    """After sign-up: the free credits and three things to try."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    return render(
        request,
        "accounts/welcome.html",
        {"free_per_day": settings.FREE_CREDITS_PER_DAY, "next_url": next_url},
    )


def profile_page(request: HttpRequest, handle: str) -> HttpResponse:
    try:
        user = selectors.profile_get(handle=handle, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    following = selectors.is_following(follower=request.user, followee=user)
    page = profile_videos_page(creator=user, viewer=request.user)
    liked = liked_video_ids(viewer=request.user, video_ids=[v.pk for v in page.videos])
    return render(
        request,
        "accounts/profile.html",
        {
            "profile": profile_data(user, is_following=following),
            "profile_user": user,
            "grid": {
                "results": videos_data(page.videos, liked_ids=liked),
                "next_cursor": page.next_cursor,
            },
        },
    )


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(
        request.POST or None,
        request.FILES or None,
        initial={"display_name": request.user.display_name, "bio": request.user.bio},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.profile_update(
                    user=request.user,
                    display_name=form.cleaned_data["display_name"],
                    bio=form.cleaned_data["bio"],
                )
                if form.cleaned_data.get("avatar"):
                    services.avatar_set(user=request.user, upload=form.cleaned_data["avatar"])
            except DomainError as error:
                for field, problems in error.fields.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                messages.success(request, _("Profile saved."))
                return redirect("accounts:profile", handle=request.user.username)
        status = 400
    context = {
        "form": form,
        "blocks": selectors.blocks_of(user=request.user),
        "mutes": selectors.mutes_of(user=request.user),
    }
    return render(request, "accounts/settings.html", context, status=status)


RELATION_ACTIONS = {"block", "unblock", "mute", "unmute"}


@login_required
@require_POST
def relation_action(request: HttpRequest, handle: str) -> HttpResponse:
    """The block/mute buttons on profiles and their undo in settings (plain forms: no script)."""
    action = request.POST.get("action", "")
    if action not in RELATION_ACTIONS:
        return HttpResponseBadRequest(_("Unknown action."))
    try:
        other = selectors.user_get_by_handle(handle=handle)
        if action in {"block", "unblock"}:
            services.block_set(blocker=request.user, blocked=other, blocking=action == "block")
        else:
            services.mute_set(muter=request.user, muted=other, muting=action == "mute")
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as error:
        return HttpResponseBadRequest(error.message)
    done = {
        "block": _("You blocked @%(handle)s."),
        "unblock": _("You unblocked @%(handle)s."),
        "mute": _("You muted @%(handle)s."),
        "unmute": _("You unmuted @%(handle)s."),
    }[action]
    messages.success(request, done % {"handle": other.username})
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("accounts:settings")
    return redirect(next_url)


@login_required
def notifications_page(request: HttpRequest) -> HttpResponse:
    groups = selectors.notifications_grouped(user=request.user)
    response = render(request, "accounts/notifications.html", {"groups": groups})
    # Opening the page reads them; the page shows which were new before that.
    services.notifications_mark_read(user=request.user)
    return response
