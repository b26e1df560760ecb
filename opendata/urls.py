from django.urls import path, re_path

from . import views

app_name = "opendata"

urlpatterns = [
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/<slug:table>.csv", views.statistics_csv, name="statistics_csv"),
    path("api/", views.api_overview, name="api_overview"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap_section, name="sitemap_section"),
    re_path(r"^(?P<section>technologies|needs)/feed/$", views.listing_feed, name="listing_feed"),
    re_path(
        r"^(?P<section>technologies|needs)/export\.csv$", views.listing_csv, name="listing_csv"
    ),
]
