from django import forms
from django.utils.translation import gettext_lazy as _

PERIODS = [(30, _("Last 30 days")), (90, _("Last 90 days")), (365, _("Last 365 days"))]


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Period"), choices=PERIODS, coerce=int, initial=30, required=False
    )

    def clean_days(self):
        return self.cleaned_data["days"] or 30
