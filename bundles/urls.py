from django.urls import path

from . import views

app_name = "bundles"

urlpatterns = [
    path("technologies/import/", views.upload, name="upload"),
    path("technologies/import/preview/", views.preview, name="preview"),
    path("technologies/import/confirm/", views.confirm, name="confirm"),
    path("technologies/import/cancel/", views.cancel, name="cancel"),
]
