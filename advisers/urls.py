from django.urls import path

from . import views

app_name = "advisers"

urlpatterns = [
    path("", views.home, name="home"),
    path("assignments/", views.assignment_list, name="assignment_list"),
    path("assignments/new/", views.assignment_create, name="assignment_create"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("activity/", views.activity_all, name="activity"),
    path("activity/advisers/<int:user_pk>/", views.activity_adviser, name="activity_adviser"),
    path(
        "activity/organisations/<str:slug>/",
        views.activity_organization,
        name="activity_organization",
    ),
    path("organisations/<str:slug>/", views.organization, name="organization"),
    path("technologies/<int:pk>/", views.technology, name="technology"),
    path("technologies/<int:pk>/propose/", views.propose, name="propose"),
    path("technologies/<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("technologies/<int:pk>/notes/", views.note_add, name="note_add"),
    path("technologies/<int:pk>/partners/", views.partner_search, name="partners"),
    path("technologies/<int:pk>/shortlist.csv", views.shortlist_csv, name="shortlist_csv"),
    path("proposals/<int:pk>/accept/", views.proposal_accept, name="proposal_accept"),
    path("proposals/<int:pk>/decline/", views.proposal_decline, name="proposal_decline"),
    path("shortlist/<int:pk>/", views.shortlist_annotate, name="shortlist_annotate"),
    path("shortlist/<int:pk>/remove/", views.shortlist_remove, name="shortlist_remove"),
]
