"""Sign-up form: a handle, an optional e-mail and a password checked by Django's validators."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.handles import handle_lookalike_of
from accounts.models import User, handle_validator


class SignUpForm(forms.Form):
    handle = forms.CharField(
        label=gettext_lazy("Handle"),
        max_length=30,
        help_text=gettext_lazy("3–30 characters: lowercase letters, digits, '_' and '.'."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.EmailField(label=gettext_lazy("Email (optional)"), required=False)
    password = forms.CharField(
        label=gettext_lazy("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_handle(self) -> str:
        # Handles are stored lowercase, so "Nova.Star" is accepted as "nova.star".
        handle = self.cleaned_data["handle"].strip().lower()
        handle_validator(handle)
        if User.objects.filter(username__iexact=handle).exists():
            raise forms.ValidationError(gettext_lazy("That handle is taken."))
        imitated = handle_lookalike_of(handle=handle)
        if imitated:
            raise forms.ValidationError(
                _("That handle looks too much like @%(handle)s. Choose another.")
                % {"handle": imitated}
            )
        return handle

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email", "").strip()
        if settings.SIGNUP_EMAIL_VERIFICATION and not email:
            raise forms.ValidationError(_("An e-mail address is needed to confirm your account."))
        return email

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password:
            candidate = User(username=cleaned.get("handle", ""), email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=gettext_lazy("Handle"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocapitalize": "none"}),
    )

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if settings.SIGNUP_EMAIL_VERIFICATION and user.email_verified_at is None:
            raise forms.ValidationError(
                _("Confirm your e-mail address first: follow the link we sent."),
                code="unverified",
            )


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=gettext_lazy("Display name"), max_length=60, required=False
    )
    bio = forms.CharField(
        label=gettext_lazy("Bio"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    avatar = forms.FileField(
        label=gettext_lazy("Avatar"),
        required=False,
        help_text=gettext_lazy("JPEG, PNG, WebP or GIF; at most 5 MB and 4096×4096."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
