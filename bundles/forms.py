from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.forms import OrganizationForm

from . import files


class BundleOrganizationForm(OrganizationForm):
    """The organisation profile form without the logo (a bundle carries no files)."""

    class Meta(OrganizationForm.Meta):
        fields = ["name", "name_ja", "type", "country", "city", "website", "description"]


class BundleUploadForm(forms.Form):
    """A JSON bundle or a CSV of technologies; `bundle` holds it parsed once the form is valid."""

    file = forms.FileField(
        label=gettext_lazy("JSON bundle or CSV file"),
        help_text=gettext_lazy("At most 5 MB, UTF-8."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.csv,application/json,text/csv"}),
    )
    publish = forms.BooleanField(
        label=gettext_lazy("Publish directly instead of sending to the moderation queue"),
        required=False,
    )

    def __init__(self, *args, moderator=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not moderator:
            del self.fields["publish"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > files.MAX_BUNDLE_BYTES:
            raise forms.ValidationError(files.too_large_message())
        raw = upload.read(files.MAX_BUNDLE_BYTES + 1)
        name = (upload.name or "").lower()
        try:
            if name.endswith(".csv"):
                self.bundle = files.load_csv(raw)
            elif name.endswith(".json") or raw.lstrip()[:1] == b"{":
                self.bundle = files.load_json(raw)
            else:
                raise forms.ValidationError(_("Upload a JSON bundle (.json) or a CSV file (.csv)."))
        except files.BundleFormatError as error:
            raise forms.ValidationError(str(error)) from error
        return upload
