from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Frequency, SavedSearch, SearchList


class SaveSearchForm(forms.Form):
    name = forms.CharField(label=_("Name of this search"), max_length=100)
    frequency = forms.ChoiceField(
        label=_("E-mail me new matches"), choices=Frequency.choices, initial=Frequency.DAILY
    )
    list = forms.ChoiceField(choices=SearchList.choices, widget=forms.HiddenInput)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Please give the search a name."))
        return name


class SavedSearchForm(forms.ModelForm):
    class Meta:
        model = SavedSearch
        fields = ["name", "frequency"]
        labels = {"frequency": _("E-mail me new matches")}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Please give the search a name."))
        return name
