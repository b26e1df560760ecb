from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from lib.mail import message_for
from lib.uploads import clean_image

from .models import Membership, Organization, User


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self):
        return self.cleaned_data["username"].lower()


class SignupForm(forms.Form):
    CREATE, JOIN = "create", "join"

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    organization_choice = forms.ChoiceField(
        label=_("Your organisation"),
        choices=[
            (CREATE, _("Register a new organisation")),
            (JOIN, _("Join an organisation already here")),
        ],
        widget=forms.RadioSelect,
        initial=CREATE,
    )
    existing_organization = forms.ModelChoiceField(
        label=_("Organisation to join"),
        queryset=Organization.objects.order_by("name"),
        required=False,
        help_text=_("Its administrator approves your request."),
    )
    organization_name = forms.CharField(
        label=_("Organisation name"), max_length=200, required=False
    )
    organization_name_ja = forms.CharField(
        label=_("Organisation name in Japanese (optional)"), max_length=200, required=False
    )
    organization_type = forms.ChoiceField(
        label=_("Type of organisation"),
        choices=[("", "—")] + Organization.Type.choices,
        required=False,
    )
    organization_country = Organization._meta.get_field("country").formfield(
        label=_("Country"), required=False
    )

    def clean_email(self):
        # Whether the address already has an account is not a form error: the sign-up page must
        # not tell (accounts.services.register e-mails its holder instead).
        return self.cleaned_data["email"].lower()

    def clean(self):
        data = super().clean()
        if (
            data.get("password1")
            and data.get("password2")
            and data["password1"] != data["password2"]
        ):
            self.add_error("password2", _("The two passwords do not match."))
        elif data.get("password1"):
            probe = User(email=data.get("email", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(data["password1"], probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        if data.get("organization_choice") == self.JOIN:
            if not data.get("existing_organization"):
                self.add_error("existing_organization", _("Choose the organisation to join."))
        else:
            for name in ("organization_name", "organization_type", "organization_country"):
                if not data.get(name):
                    self.add_error(name, _("This field is required to register an organisation."))
        return data

    def new_organization(self) -> Organization | None:
        data = self.cleaned_data
        if data["organization_choice"] == self.JOIN:
            return None
        return Organization(
            name=data["organization_name"],
            name_ja=data["organization_name_ja"],
            type=data["organization_type"],
            country=data["organization_country"],
        )


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's password reset, its mail written like every other one (lib.mail): in the
    account holder's language, text as typed, the link on the running site."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        template = email_template_name.removesuffix(".txt")
        message_for(template, context["user"], context).send()


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language in its own name, so that a reader finds theirs whatever the page's language.
        self.fields["language"].choices = [
            (code, translation.get_language_info(code)["name_local"])
            for code, _name in settings.LANGUAGES
        ]


class OrganizationForm(forms.ModelForm):
    # A plain file field: the content is checked by lib.uploads.clean_image, whose messages
    # (not an image, too large, too many pixels) are clearer than forms.ImageField's generic one.
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
        help_text=_("JPEG, PNG, GIF or WebP. It is resized to at most 512 pixels."),
    )

    class Meta:
        model = Organization
        fields = ["name", "name_ja", "type", "country", "city", "website", "description", "logo"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):  # a new upload, not the stored file
            return clean_image(logo, max_side=512)
        return logo


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
