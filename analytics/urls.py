from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("technologies/<int:pk>/", views.technology_analytics, name="technology"),
    path(
        "technologies/<int:pk>/analytics.csv",
        views.technology_analytics,
        {"export": True},
        name="technology_csv",
    ),
    path("needs/<int:pk>/", views.need_analytics, name="need"),
    path("needs/<int:pk>/analytics.csv", views.need_analytics, {"export": True}, name="need_csv"),
    path("organisations/<slug:slug>/", views.organization_analytics, name="organization"),
    path(
        "organisations/<slug:slug>/analytics.csv",
        views.organization_analytics,
        {"export": True},
        name="organization_csv",
    ),
]
