from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False
router.register("technologies", views.TechnologyViewSet, basename="technology")
if (NeedViewSet := views.need_viewset_class()) is not None:
    router.register("needs", NeedViewSet, basename="need")
router.register("organisations", views.OrganizationViewSet, basename="organization")
router.register("fields", views.FieldViewSet, basename="field")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularRedocView.as_view(url_name="api:schema", template_name="opendata/redoc.html"),
        name="docs",
    ),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
