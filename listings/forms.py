from django import forms
from django.utils.translation import gettext_lazy as _

from lib.i18n import join_list
from lib.uploads import clean_image, clean_pdf

from .lifecycle import Action
from .models import (
    MAX_IMAGES,
    Field,
    Partnership,
    Patent,
    Technology,
    TechnologyImage,
    country_choices,
)
from .widgets import CountryCheckboxes, FieldCheckboxes


class KeywordsField(forms.Field):
    """Keywords typed comma-separated (or given as a list by an import)."""

    widget = forms.TextInput

    def __init__(self, *, max_keywords=20, **kwargs):
        self.max_keywords = max_keywords
        kwargs.setdefault(
            "help_text", _("Separate keywords with commas, e.g. “perovskite, thin film”.")
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = value.replace("、", ",").replace("，", ",").split(",")
        if not isinstance(value, list | tuple):
            raise forms.ValidationError(_("Enter keywords as text separated by commas."))
        words = []
        for item in value:
            word = " ".join(str(item).split())
            if word and word.lower() not in {w.lower() for w in words}:
                words.append(word)
        return words

    def validate(self, value):
        super().validate(value)
        if len(value) > self.max_keywords:
            raise forms.ValidationError(
                _("Give at most %(n)s keywords.") % {"n": self.max_keywords}
            )
        for word in value:
            if len(word) > 60:
                raise forms.ValidationError(_("Each keyword must be at most 60 characters long."))

    def prepare_value(self, value):
        # "、" on Japanese pages: clean() splits on it as on the comma.
        return join_list(value) if isinstance(value, list | tuple) else value


class FieldChoiceField(forms.ModelMultipleChoiceField):
    """Fields of technology chosen by slug, listed as “Group › Sub-field”."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Field.objects.select_related("parent").order_by("position"))
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("label", _("Fields of technology"))
        kwargs.setdefault("widget", FieldCheckboxes)
        kwargs.setdefault("help_text", _("Choose one to five."))
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return f"{obj.parent.name} › {obj.name}" if obj.parent_id else obj.name

    def clean(self, value):
        fields = super().clean(value)
        if fields is not None and len(fields) > 5:
            raise forms.ValidationError(_("Choose at most five fields."))
        return fields


class ListingFormMixin(forms.ModelForm):
    """Form pieces technologies and needs share."""

    fields = FieldChoiceField()
    keywords = KeywordsField(label=_("Keywords"), required=False)
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        choices=country_choices,
        required=False,
        widget=CountryCheckboxes,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            text = isinstance(field, forms.CharField) and not isinstance(field, forms.EmailField)
            if text and field.max_length:
                # The browser would cut a longer text silently at `maxlength`: the server says
                # so instead and keeps what was typed; the limit is stated in the help text.
                field.widget.attrs.pop("maxlength", None)
                limit = _("At most %(n)s characters.") % {"n": field.max_length}
                if field.help_text:
                    limit = _("%(help)s %(limit)s") % {"help": field.help_text, "limit": limit}
                field.help_text = limit


class TechnologyForm(ListingFormMixin):
    partnerships = forms.MultipleChoiceField(
        label=_("Partnerships offered"),
        choices=Partnership.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Technology
        fields = [
            "title", "summary", "description", "benefits", "fields", "keywords", "trl",
            "ip_status", "partnerships", "countries", "language", "contact_name", "contact_email",
            "brochure",
        ]  # fmt: skip
        # What an edit of a published technology may change before review.
        revision_fields = [
            "title", "summary", "description", "benefits", "fields", "keywords", "trl",
            "ip_status", "partnerships", "countries", "language", "contact_name", "contact_email",
        ]  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 10}),
            "benefits": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "summary": _("Two or three sentences a licensing manager reads first."),
            "countries": _("Where the technology is protected or available."),
        }

    def clean_brochure(self):
        brochure = self.cleaned_data.get("brochure")
        if brochure and hasattr(brochure, "content_type"):
            return clean_pdf(brochure)
        return brochure


class PatentForm(forms.ModelForm):
    class Meta:
        model = Patent
        fields = ["number", "office", "status"]

    def clean_office(self):
        return self.cleaned_data["office"].strip().upper()


PatentFormSet = forms.inlineformset_factory(
    Technology, Patent, form=PatentForm, extra=1, max_num=20, validate_max=True, can_delete=True
)


class ImageForm(forms.ModelForm):
    class Meta:
        model = TechnologyImage
        fields = ["image", "caption"]

    def __init__(self, *args, technology=None, **kwargs):
        self.technology = technology
        super().__init__(*args, **kwargs)

    def clean_image(self):
        return clean_image(self.cleaned_data["image"])

    def clean(self):
        data = super().clean()
        if self.technology is not None and self.technology.images.count() >= MAX_IMAGES:
            raise forms.ValidationError(
                _("A technology can have at most %(n)s images.") % {"n": MAX_IMAGES}
            )
        return data


class DecisionForm(forms.Form):
    """A moderator's or owner's lifecycle action with an optional reason. Built for one action
    (`action=`), it is that decision's own form: its ids and its reason's label name it."""

    REASON_LABELS = {
        Action.REQUEST_CHANGES: _("Reason for requesting changes (shown to the owner)"),
        Action.REJECT: _("Reason for rejecting (shown to the owner)"),
    }

    action = forms.ChoiceField(choices=Action.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason (shown to the owner)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args, action=None, **kwargs):
        if action is not None:
            kwargs.setdefault("auto_id", f"id_{action}_%s")
            kwargs.setdefault("initial", {"action": action})
        super().__init__(*args, **kwargs)
        self.decision = action
        if action in self.REASON_LABELS:
            self.fields["reason"].label = self.REASON_LABELS[action]
            self.fields["reason"].required = True

    @property
    def takes_reason(self) -> bool:
        return self.decision in self.REASON_LABELS
