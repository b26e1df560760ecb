from django.urls import path

from . import feeds, views

app_name = "alerts"

urlpatterns = [
    path("", views.saved_search_list, name="saved_search_list"),
    path("save/", views.saved_search_create, name="saved_search_create"),
    path("<int:pk>/edit/", views.saved_search_edit, name="saved_search_edit"),
    path("<int:pk>/delete/", views.saved_search_delete, name="saved_search_delete"),
    path("<int:pk>/feed/revoke/", views.saved_search_revoke_feed, name="saved_search_revoke_feed"),
    path("feed/<str:token>/", feeds.SavedSearchFeed(), name="feed"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("follow/<str:listing_type>/<int:pk>/", views.follow, name="follow"),
    path("unfollow/<str:listing_type>/<int:pk>/", views.unfollow, name="unfollow"),
]
