from django.conf import settings
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from lib.csp import with_policy

from . import docs, views

app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False
router.register("technologies", views.TechnologyViewSet, basename="technology")
router.register("needs", views.NeedViewSet, basename="need")
router.register("organisations", views.OrganizationViewSet, basename="organization")
router.register("fields", views.FieldViewSet, basename="field")

# Redoc (served from the sidecar's static files) styles itself with injected <style> elements,
# renders data: images and searches in a web worker made from a blob: URL; still nothing from
# another site.
API_DOCS_POLICY = {
    **settings.CONTENT_SECURITY_POLICY,
    "style-src": ["'self'", "'unsafe-inline'"],
    "worker-src": ["'self'", "blob:"],
}

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        with_policy(API_DOCS_POLICY)(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="opendata/redoc.html")
        ),
        name="docs",
    ),
    # SPECTACULAR_SETTINGS["REDOC_DIST"] makes the page load Redoc from here.
    path("docs/redoc/bundles/redoc.standalone.js", docs.redoc_script, name="redoc_script"),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
