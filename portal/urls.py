from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

import accounts.urls
import listings.urls
import needs.urls
from accounts import views as account_views

from . import views


def _with_pages(app_urls, *pages):
    """An app's URL patterns with the pages composed here that keep the app's URL names, those
    first (none of the app's own patterns matches their addresses)."""
    return include((list(pages) + app_urls.urlpatterns, app_urls.app_name))


# Django tries the patterns in order, each include's in turn: the listings' pages and searches,
# the most visited, come first (their addresses match no other pattern).
urlpatterns = [
    path(
        "",
        _with_pages(
            listings.urls,
            path("technologies/<int:pk>/", views.technology_detail, name="technology_detail"),
        ),
    ),
    path(
        "",
        _with_pages(needs.urls, path("needs/<int:pk>/", views.need_detail, name="need_detail")),
    ),
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(
        "accounts/",
        _with_pages(
            accounts.urls,
            path("organisations/<str:slug>/", views.organization_detail, name="organization"),
        ),
    ),
    # Before Django's own: a signed-in user's choice is stored for their e-mails.
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("opendata.urls")),
    path("api/", include("opendata.api.urls")),
    path("", include("bundles.urls")),
    path("requests/", include("licensing.urls")),
    path("matching/", include("matching.urls")),
    path("advisers/", include("advisers.urls")),
    path("alerts/", include("alerts.urls")),
    path("analytics/", include("analytics.urls")),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
