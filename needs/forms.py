from django import forms
from django.utils.translation import gettext_lazy as _

from listings.forms import ListingFormMixin
from listings.models import Partnership

from .models import Need


class NeedForm(ListingFormMixin):
    partnerships = forms.MultipleChoiceField(
        label=_("Partnerships sought"),
        choices=Partnership.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Need
        fields = [
            "title", "description", "solution", "fields", "keywords", "trl_min", "trl_max",
            "countries", "partnerships", "deadline", "language",
        ]  # fmt: skip
        # What an edit of a published need may change before review.
        revision_fields = [
            "title", "description", "solution", "fields", "keywords", "trl_min", "trl_max",
            "countries", "partnerships", "deadline", "language",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "solution": forms.Textarea(attrs={"rows": 5}),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "description": _("The problem you want to solve, in your own words."),
            "solution": _("What a good solution would look like: performance, cost, scale."),
            "countries": _("Where you would use or produce the technology."),
            "deadline": _("After this date the need leaves the public lists."),
        }

    def clean(self):
        data = super().clean()
        trl_min, trl_max = data.get("trl_min"), data.get("trl_max")
        if trl_min and trl_max and int(trl_min) > int(trl_max):
            self.add_error("trl_max", _("The highest TRL must not be below the lowest one."))
        return data
