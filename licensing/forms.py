from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.uploads import _check_size, clean_image, clean_pdf
from listings.models import Technology

from . import services
from .models import Agreement, Attachment, DeclineReason, LicenceRequest


class LicenceRequestForm(forms.ModelForm):
    # The three purposes only (a model field without a default would add a "---------" choice
    # that fails when sent); a licence, the most common request, is chosen to begin with.
    purpose = forms.ChoiceField(
        label=_("Purpose of the request"),
        choices=LicenceRequest.Purpose.choices,
        initial=LicenceRequest.Purpose.LICENCE,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what you are asking for."),
            "invalid_choice": _("Choose what you are asking for."),
        },
    )

    class Meta:
        model = LicenceRequest
        fields = ["purpose", "message", "intended_use", "territory"]
        widgets = {
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
        self.fields["purpose"].choices = [
            (value, label)
            for value, label in LicenceRequest.Purpose.choices
            if value in LicenceRequest.REQUEST_PURPOSES
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


def clean_attachment(upload):
    """A PDF checked by its content, or an image decoded and re-encoded like brochures and
    pictures (lib.uploads); anything else is refused."""
    _check_size(upload, settings.ATTACHMENT_MAX_BYTES)
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        clean_pdf(upload)
        upload.content_type = "application/pdf"
        return upload
    try:
        return clean_image(upload)
    except ValidationError as error:
        if error.code == "not_an_image":
            raise ValidationError(
                _("Attach a PDF document or a JPEG, PNG, GIF or WebP image."),
                code="bad_attachment",
            ) from error
        raise


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 5000}),
    )
    attachment = forms.FileField(
        label=_("Attach a file (optional)"),
        required=False,
        help_text=_(
            "A PDF document or an image, up to 10 MB. Only the two organisations and JPO moderators can open it."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
    )
    label = forms.ChoiceField(
        label=_("Mark the file as"), choices=Attachment.Label.choices, required=False
    )

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        return clean_attachment(upload) if upload else None


class DeclineFields(forms.Form):
    """The reason asked whenever an organisation passes on something."""

    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("Choose a reason"))] + DeclineReason.choices,
        required=False,
    )
    share_name = forms.BooleanField(
        label=_("Show our organisation's name to the other organisation with this reason"),
        required=False,
    )


class StatusForm(DeclineFields):
    """A change of status with an optional note to the other side. Built for one status
    (`status=`), it is that decision's own form: its ids and its note's label name it. A
    decision that passes on the other side (`takes_reason`) also asks for a reason."""

    NOTE_LABELS = {
        LicenceRequest.Status.AGREED: _("Comment with the agreement (optional)"),
        LicenceRequest.Status.IN_DISCUSSION: _("Comment with the move to discussion (optional)"),
        LicenceRequest.Status.SHORTLISTED: _("Comment with the shortlisting (optional)"),
        LicenceRequest.Status.DECLINED: _("Comment with the decline (optional)"),
        LicenceRequest.Status.WITHDRAWN: _("Comment with the withdrawal (optional)"),
    }
    BUTTON_LABELS = {
        LicenceRequest.Status.AGREED: _("Mark as agreed"),
        LicenceRequest.Status.IN_DISCUSSION: _("Mark as in discussion"),
        LicenceRequest.Status.SHORTLISTED: _("Shortlist"),
        LicenceRequest.Status.DECLINED: _("Decline"),
        LicenceRequest.Status.WITHDRAWN: _("Withdraw the request"),
    }

    status = forms.ChoiceField(choices=LicenceRequest.Status.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        help_text=_("Sent to the other organisation with the decision."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, status=None, proposal=False, takes_reason=False, **kwargs):
        if status is not None:
            kwargs.setdefault("auto_id", f"id_{status}_%s")
            kwargs.setdefault("initial", {"status": status})
        super().__init__(*args, **kwargs)
        self.decision = status
        self.proposal = proposal
        self.takes_reason = takes_reason
        if status in self.NOTE_LABELS:
            self.fields["note"].label = self.NOTE_LABELS[status]
        if takes_reason:
            self.fields["reason"].widget.attrs["required"] = True

    @property
    def button_label(self) -> str:
        if self.proposal and self.decision == LicenceRequest.Status.WITHDRAWN:
            return _("Withdraw the proposal")
        return self.BUTTON_LABELS.get(self.decision, "")


class AgreementForm(forms.Form):
    type = forms.ChoiceField(label=_("Type of agreement"), choices=Agreement.Type.choices)
    signed_on = forms.DateField(
        label=_("Date of the agreement"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on > timezone.localdate():
            raise forms.ValidationError(_("The date of the agreement cannot be in the future."))
        return signed_on


class AgreementCorrectionForm(AgreementForm):
    confirmed = forms.BooleanField(label=_("Counts as confirmed"), required=False)
