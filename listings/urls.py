from django.urls import path

from . import views

app_name = "listings"

urlpatterns = [
    path("technologies/", views.technology_list, name="technology_list"),
    path("technologies/new/", views.technology_create, name="technology_create"),
    path("technologies/<int:pk>/edit/", views.technology_edit, name="technology_edit"),
    path("technologies/<int:pk>/images/", views.technology_images, name="technology_images"),
    path(
        "technologies/<int:pk>/images/<int:image_pk>/delete/",
        views.technology_image_delete,
        name="technology_image_delete",
    ),
    path("listings/<str:listing_type>/<int:pk>/action/", views.listing_action, name="action"),
    path("moderation/", views.moderation_queue, name="moderation_queue"),
    path("moderation/<str:listing_type>/<int:pk>/", views.review, name="review"),
]
