from django import forms
from django.utils.translation import gettext_lazy as _

from licensing.models import DeclineReason


class PairForm(forms.Form):
    need = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    technology = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DismissForm(PairForm):
    """Dismissing a suggestion asks why (see licensing.models.DeclineFeedback)."""

    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", _("Choose a reason")), *DeclineReason.choices]
    )
    note = forms.CharField(
        label=_("Note (optional; the other organisation sees it only if you share your name)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    share_name = forms.BooleanField(
        label=_("Show our organisation's name to the other organisation with this reason"),
        required=False,
    )


class ConfirmForm(PairForm):
    note = forms.CharField(
        label=_("Note for the two organisations"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
