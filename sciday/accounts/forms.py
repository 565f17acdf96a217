"""Forms of the account pages. They only collect input: services validate and write."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from sciday.accounts.models import SystemRole

GENERIC_LOGIN_ERROR = _(
    "The e-mail address or mobile number and the password do not match an active account."
)


class LoginForm(AuthenticationForm):
    """Sign in with an e-mail address or a mainland mobile number; one generic error."""

    username = forms.CharField(
        label=_("E-mail or mobile number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": GENERIC_LOGIN_ERROR,
        "inactive": GENERIC_LOGIN_ERROR,
    }


PASSWORD_HELP = _(
    "At least 8 characters, using at least 3 of: lower-case letters, upper-case letters, digits "
    "and symbols. Common passwords are refused."
)


def _password_field(label, autocomplete: str = "new-password", help_text=""):
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        help_text=help_text,
    )


class NewPasswordMixin(forms.Form):
    """Two fields for a new password that must match. The service checks its strength."""

    password1 = _password_field(_("New password"), help_text=PASSWORD_HELP)
    password2 = _password_field(_("New password again"))

    def clean(self):
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ. Type the same one twice."))
        return cleaned


class PasswordChangeForm(NewPasswordMixin):
    old_password = _password_field(_("Current password"), autocomplete="current-password")
    field_order = ["old_password", "password1", "password2"]


class ResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class ResetSetPasswordForm(SetPasswordForm):
    """Django's form, with the save going through `user_reset_password` (audited)."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password1"].help_text = PASSWORD_HELP
        self.fields["new_password2"].label = _("New password again")

    def save(self, commit=True):
        from sciday.accounts.services import user_reset_password

        return user_reset_password(user=self.user, password=self.cleaned_data["new_password1"])


class InvitationAcceptForm(NewPasswordMixin):
    name = forms.CharField(label=_("Your name"), max_length=100)
    phone = forms.CharField(
        label=_("Mobile number (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_("You may also sign in with it. It is kept encrypted."),
    )
    field_order = ["name", "phone", "password1", "password2"]


class TokenForm(forms.Form):
    """Verification code from an authenticator app."""

    token = forms.CharField(
        label=_("Six-digit code"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=100)
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_("Leave empty to keep the current number. It is kept encrypted."),
    )
    remove_phone = forms.BooleanField(label=_("Remove my mobile number"), required=False)


class ApiTokenForm(forms.Form):
    LIFETIMES = [(30, _("30 days")), (90, _("90 days")), (180, _("180 days")), (365, _("1 year"))]

    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Such as the system that will use it."),
    )
    days = forms.TypedChoiceField(label=_("Valid for"), choices=LIFETIMES, coerce=int, initial=90)


class UserSearchForm(forms.Form):
    q = forms.CharField(label=_("Search e-mail or name"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("all")), ("active", _("active")), ("disabled", _("disabled"))],
    )


SYSTEM_ROLE_CHOICES = [(v, label) for v, label in SystemRole.choices if v]
