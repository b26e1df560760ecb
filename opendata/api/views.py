"""Read-only JSON API: published data only, the HTML lists' own FilterSets, cursor pages,
ETags, anonymous throttling and JSON errors (see REST_FRAMEWORK in portal/settings.py)."""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.middleware.http import ConditionalGetMiddleware
from django.utils.decorators import decorator_from_middleware, method_decorator
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from listings.filters import TechnologyFilterSet
from listings.models import Field, Technology
from needs.filters import NeedFilterSet
from needs.models import Need

from .. import stats
from ..sitemaps import organizations_with_listings
from .serializers import (
    ErrorSerializer,
    FieldSerializer,
    NeedSerializer,
    OrganizationSerializer,
    StatisticsSerializer,
    TechnologySerializer,
)

# ETag from the rendered body; If-None-Match answered with 304 (Django's own middleware,
# applied to the API views only).
conditional = method_decorator(decorator_from_middleware(ConditionalGetMiddleware), name="dispatch")

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid query parameters."),
    404: OpenApiResponse(ErrorSerializer, description="Not found (or not published)."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests; retry later."),
}
DETAIL_ERRORS = {404: ERRORS[404], 429: ERRORS[429]}


class NewestFirst(CursorPagination):
    """Cursor pages, newest published first (stable under inserts, fast at any depth)."""

    ordering = ("-published_at", "-id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ByName(CursorPagination):
    ordering = ("name", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def listing_schema(name: str, serializer):
    return extend_schema_view(
        list=extend_schema(
            summary=f"Published {name}",
            description=(
                f"Published {name}, newest first, filtered exactly like the HTML list "
                "(same parameters, same FilterSet). The `sort` parameter is accepted for "
                "compatibility but cursor pages are always newest first."
            ),
            responses={200: serializer(many=True), **ERRORS},
        ),
        retrieve=extend_schema(
            summary=f"One published item of {name}", responses={200: serializer, **DETAIL_ERRORS}
        ),
    )


@conditional
@listing_schema("technologies", TechnologySerializer)
class TechnologyViewSet(viewsets.ReadOnlyModelViewSet):
    """Published technologies."""

    queryset = (
        Technology.objects.published()
        .select_related("organization")
        .prefetch_related("fields", "patents")
        .defer("search_vector", "pending_revision", "contact_name", "contact_email")
    )
    serializer_class = TechnologySerializer
    lookup_value_regex = "[^/]+"  # anything else is a JSON 404 from the view, not an HTML one
    filter_backends = [DjangoFilterBackend]
    filterset_class = TechnologyFilterSet
    pagination_class = NewestFirst


@conditional
@listing_schema("needs", NeedSerializer)
class NeedViewSet(viewsets.ReadOnlyModelViewSet):
    """Published needs whose deadline has not passed (as on the HTML list)."""

    queryset = (
        Need.objects.open()
        .select_related("organization")
        .prefetch_related("fields")
        .defer("search_vector", "pending_revision")
    )
    serializer_class = NeedSerializer
    lookup_value_regex = "[^/]+"
    filter_backends = [DjangoFilterBackend]
    filterset_class = NeedFilterSet
    pagination_class = NewestFirst


@conditional
@extend_schema_view(
    list=extend_schema(
        summary="Organisations with published listings",
        responses={200: OrganizationSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="One organisation", responses={200: OrganizationSerializer, **DETAIL_ERRORS}
    ),
)
class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisations that have at least one published listing."""

    serializer_class = OrganizationSerializer
    pagination_class = ByName
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        published = (
            Technology.objects.published()
            .filter(organization=OuterRef("pk"))
            .order_by()
            .values("organization")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return organizations_with_listings().annotate(
            published_technologies=Coalesce(Subquery(published), 0)
        )


@conditional
@extend_schema_view(
    list=extend_schema(
        summary="Fields of technology (the taxonomy)",
        responses={200: FieldSerializer(many=True), 429: ERRORS[429]},
    ),
    retrieve=extend_schema(
        summary="One field of technology", responses={200: FieldSerializer, **DETAIL_ERRORS}
    ),
)
class FieldViewSet(viewsets.ReadOnlyModelViewSet):
    """The two-level taxonomy of fields of technology; `parent` is null for a group."""

    queryset = Field.objects.select_related("parent").order_by("position", "slug")
    serializer_class = FieldSerializer
    pagination_class = None
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"


@conditional
class StatisticsView(APIView):
    """The figures of the statistics page (cached; privacy rule applied)."""

    @extend_schema(summary="Statistics", responses={200: StatisticsSerializer, 429: ERRORS[429]})
    def get(self, request):
        return Response(StatisticsSerializer(stats.public_statistics()).data)


def not_found(request, path=""):
    """Anyone: unknown addresses under /api/ answer in JSON too."""
    return JsonResponse({"detail": _("Not found.")}, status=404)
