"""Account pages: sign up, log in, log out."""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from accounts.forms import LoginForm, SignUpForm
from accounts.services import user_create


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("feed:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_create(
            handle=form.cleaned_data["handle"],
            password=form.cleaned_data["password"],
            email=form.cleaned_data["email"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(request.GET.get("next") or "generation:create")
    return render(
        request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200
    )


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("feed:home")
