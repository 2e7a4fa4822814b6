"""Sign-up form: a handle, an optional e-mail and a password checked by Django's validators."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import User, handle_validator


class SignUpForm(forms.Form):
    handle = forms.CharField(
        max_length=30,
        help_text="3–30 characters: lowercase letters, digits, '_' and '.'.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_handle(self) -> str:
        # Handles are stored lowercase, so "Nova.Star" is accepted as "nova.star".
        handle = self.cleaned_data["handle"].strip().lower()
        handle_validator(handle)
        if User.objects.filter(username__iexact=handle).exists():
            raise forms.ValidationError("That handle is taken.")
        return handle

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
        label="Handle",
        widget=forms.TextInput(attrs={"autofocus": True, "autocapitalize": "none"}),
    )


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=60, required=False)
    bio = forms.CharField(max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    avatar = forms.FileField(
        required=False,
        help_text="JPEG, PNG, WebP or GIF; at most 5 MB and 4096×4096.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
