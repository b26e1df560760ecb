from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from listings.forms import TechnologyForm

ADVISED_TYPES = (Organization.Type.UNIVERSITY, Organization.Type.RESEARCH_INSTITUTE)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("First day"), widget=DateInput())
    end = forms.DateField(label=_("Last day"), widget=DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The last day must not be before the first day."))
        return data


class AssignmentForm(PeriodForm):
    """JPO moderators appoint an IP adviser (an existing account) for one or more organisations."""

    adviser_email = forms.EmailField(
        label=_("IP adviser's e-mail address"),
        help_text=_("The adviser needs an account on the exchange."),
    )
    organizations = forms.ModelMultipleChoiceField(
        label=_("Universities and research institutes"),
        queryset=Organization.objects.filter(type__in=ADVISED_TYPES).order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    field_order = ["adviser_email", "organizations", "start", "end"]

    def clean_adviser_email(self):
        email = self.cleaned_data["adviser_email"].strip().lower()
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active account has this e-mail address."))
        self.adviser = user
        return email


class ProposalForm(TechnologyForm):
    """The technology's text and data as the adviser would have it (files are not proposed)."""

    message = forms.CharField(
        label=_("Message to the owner"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta(TechnologyForm.Meta):
        fields = TechnologyForm.Meta.revision_fields


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (the adviser reads it)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment (read by the organisation, its advisers and JPO moderators)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("IP strategy note"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Private to the organisation, its advisers and JPO moderators."),
    )


class ShortlistForm(forms.Form):
    partner = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class AnnotateForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
