from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("board/", views.board, name="board"),
    path("confirm/", views.confirm, name="confirm"),
    path("dismiss/", views.dismiss, name="dismiss"),
]
