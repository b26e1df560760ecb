"""What the API publishes about each object: public fields only (no contact e-mails)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organization
from lib.urls import absolute_url
from licensing.models import DeclineReason
from listings.models import Field, Patent, Technology
from needs.models import Need


class OrganizationSummarySerializer(serializers.ModelSerializer):
    # "kind" is the public name of the organisation type in the API and the exchange format.
    kind = serializers.ChoiceField(source="type", choices=Organization.Type.choices)
    country = serializers.CharField(source="country.code")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["slug", "name", "name_ja", "kind", "country", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return absolute_url(obj.get_absolute_url(), self.context.get("request"))


class OrganizationSerializer(OrganizationSummarySerializer):
    published_technologies = serializers.IntegerField(read_only=True)

    class Meta(OrganizationSummarySerializer.Meta):
        fields = [
            *OrganizationSummarySerializer.Meta.fields,
            "city",
            "website",
            "description",
            "verified",
            "published_technologies",
        ]


class FieldSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Field
        fields = ["slug", "name_en", "name_ja", "parent"]


class PatentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Patent
        fields = ["number", "office", "status"]


class ListingSerializer(serializers.ModelSerializer):
    """Shared by technologies and needs."""

    url = serializers.SerializerMethodField()
    organization = OrganizationSummarySerializer(read_only=True)
    fields = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    keywords = serializers.ListField(child=serializers.CharField())
    countries = serializers.ListField(child=serializers.CharField())

    common_fields = [
        "id",
        "url",
        "title",
        "language",
        "organization",
        "fields",
        "keywords",
        "countries",
        "published_at",
        "updated_at",
    ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return absolute_url(obj.get_absolute_url(), self.context.get("request"))


class TechnologySerializer(ListingSerializer):
    # "offers" is the name the public API (and the exchange format) gives the field.
    offers = serializers.ListField(
        source="partnerships",
        child=serializers.ChoiceField(
            choices=Technology._meta.get_field("partnerships").base_field.choices
        ),
    )
    patents = PatentSerializer(many=True, read_only=True)

    class Meta:
        model = Technology
        fields = [
            *ListingSerializer.common_fields,
            "summary",
            "description",
            "benefits",
            "trl",
            "ip_status",
            "offers",
            "patents",
        ]


class NeedSerializer(ListingSerializer):
    partnerships = serializers.ListField(
        child=serializers.ChoiceField(
            choices=Need._meta.get_field("partnerships").base_field.choices
        )
    )

    class Meta:
        model = Need
        fields = [
            *ListingSerializer.common_fields,
            "description",
            "solution",
            "trl_min",
            "trl_max",
            "partnerships",
            "deadline",
        ]


class FigureField(serializers.IntegerField):
    """A count; null when a private figure is below the privacy threshold."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, required=False, **kwargs)


class TotalsSerializer(serializers.Serializer):
    technologies = serializers.IntegerField()
    needs = serializers.IntegerField(required=False)
    organizations = serializers.IntegerField()
    users = FigureField()
    licence_requests = FigureField()
    matches = FigureField()
    agreements = FigureField()


class CountsSerializer(serializers.Serializer):
    technologies = serializers.IntegerField(required=False)
    needs = serializers.IntegerField(required=False)
    organizations = serializers.IntegerField(required=False)
    users = FigureField()
    licence_requests = FigureField()
    matches = FigureField()


class CountryRowSerializer(CountsSerializer):
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2 code")


class KindRowSerializer(CountsSerializer):
    # "kind" is the public name of the organisation type in the API and the exchange format.
    kind = serializers.ChoiceField(choices=Organization.Type.choices)


class FieldRowSerializer(CountsSerializer):
    slug = serializers.CharField()
    name_en = serializers.CharField()
    name_ja = serializers.CharField()


class TRLRowSerializer(CountsSerializer):
    trl = serializers.IntegerField(min_value=1, max_value=9)


class IPRowSerializer(CountsSerializer):
    ip_status = serializers.CharField()


class MonthRowSerializer(CountsSerializer):
    month = serializers.CharField(help_text="YYYY-MM")


class AgreementFieldRowSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name_en = serializers.CharField()
    name_ja = serializers.CharField()
    agreements = FigureField()


class AgreementCountryRowSerializer(serializers.Serializer):
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2 code")
    agreements = FigureField()


class AgreementMonthRowSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    agreements = FigureField()


def _decline_reason_row_serializer():
    fields = {
        "slug": serializers.CharField(),
        "name_en": serializers.CharField(),
        "name_ja": serializers.CharField(),
    } | {
        value: FigureField(help_text=f"{label} (null: given by fewer than 3 organisations)")
        for value, label in DeclineReason.choices
    }
    return type("DeclineReasonRowSerializer", (serializers.Serializer,), fields)


DeclineReasonRowSerializer = _decline_reason_row_serializer()


class StatisticsSerializer(serializers.Serializer):
    """The statistics page's figures. Private figures (users, licence requests, matches) below
    `threshold` are null: see the privacy rule in the API description."""

    generated_at = serializers.DateTimeField()
    threshold = serializers.IntegerField()
    totals = TotalsSerializer()
    countries = CountryRowSerializer(many=True)
    organization_kinds = KindRowSerializer(many=True)
    fields = FieldRowSerializer(many=True)
    trl = TRLRowSerializer(many=True)
    ip_status = IPRowSerializer(many=True)
    months = MonthRowSerializer(many=True)
    agreements_by_field = AgreementFieldRowSerializer(many=True, required=False)
    agreements_by_country = AgreementCountryRowSerializer(many=True, required=False)
    agreements_by_month = AgreementMonthRowSerializer(many=True, required=False)
    decline_reasons_by_field = DeclineReasonRowSerializer(many=True, required=False)


class ErrorSerializer(serializers.Serializer):
    """Errors: `detail` for most, or one list of messages per invalid query parameter."""

    detail = serializers.CharField(required=False)
