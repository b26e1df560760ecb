from django import forms
from django.utils.translation import gettext_lazy as _


class PairForm(forms.Form):
    need = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    technology = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ConfirmForm(PairForm):
    note = forms.CharField(
        label=_("Note for the two organisations"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
