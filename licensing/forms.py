from django import forms
from django.utils.translation import gettext_lazy as _

from listings.models import Technology

from . import services
from .models import LicenceRequest


class LicenceRequestForm(forms.ModelForm):
    class Meta:
        model = LicenceRequest
        fields = ["kind", "message", "intended_use", "territory"]
        widgets = {
            "kind": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
            "intended_use": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        }
        help_texts = {
            "message": _("Introduce your organisation and say what you would like to discuss."),
            "intended_use": _("The product, process or research you have in mind."),
            "territory": _("Where you would use the technology, e.g. “Japan and Korea”."),
        }

    def __init__(self, *args, organization, technology, **kwargs):
        self.organization = organization
        self.technology = technology
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (value, label)
            for value, label in LicenceRequest.Kind.choices
            if value in LicenceRequest.REQUEST_KINDS
        ]
        self.fields["message"].max_length = 5000
        self.fields["intended_use"].max_length = 2000

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Please write a message."))
        return message

    def clean(self):
        data = super().clean()
        if services.open_request(self.organization, self.technology) is not None:
            raise forms.ValidationError(
                _("Your organisation already has an open request about this technology.")
            )
        return data


class ProposalForm(forms.Form):
    """A provider's proposed solution for a need: one of its technologies or a capability."""

    technology = forms.ModelChoiceField(
        label=_("Your technology"),
        queryset=None,
        required=False,
        empty_label=_("None of them: I describe a capability below"),
        help_text=_("One of your organisation's published technologies."),
    )
    capability = forms.CharField(
        label=_("Capability not yet listed"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        help_text=_("A short description, if none of your listed technologies fits."),
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
        help_text=_("How your solution answers the need, and what you would like to discuss."),
    )

    def __init__(self, *args, organization, need, **kwargs):
        self.organization = organization
        self.need = need
        super().__init__(*args, **kwargs)
        self.fields["technology"].queryset = (
            Technology.objects.published().filter(organization=organization).order_by("title")
        )

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Please write a message."))
        return message

    def clean(self):
        data = super().clean()
        if not data.get("technology") and not (data.get("capability") or "").strip():
            self.add_error(
                "technology", _("Choose one of your technologies or describe the capability.")
            )
        if services.open_proposal(self.organization, self.need) is not None:
            raise forms.ValidationError(
                _("Your organisation already has an open proposal for this need.")
            )
        return data


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 5000}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=LicenceRequest.Status.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
