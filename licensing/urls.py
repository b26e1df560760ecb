from django.urls import path

from . import views

app_name = "licensing"

urlpatterns = [
    path("received/", views.inbox, name="inbox"),
    path("sent/", views.sent, name="sent"),
    path("all/", views.moderator_list, name="moderator_list"),
    path("new/<int:technology_pk>/", views.request_create, name="request_create"),
    path("propose/<int:need_pk>/", views.proposal_create, name="proposal_create"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/messages/", views.request_message, name="request_message"),
    path("<int:pk>/status/", views.request_status, name="request_status"),
    path("<int:pk>/files/<uuid:key>/", views.attachment_download, name="attachment"),
    path("<int:pk>/agreement/", views.agreement_record, name="agreement_record"),
    path("<int:pk>/agreement/confirm/", views.agreement_confirm, name="agreement_confirm"),
    path("<int:pk>/agreement/correct/", views.agreement_correct, name="agreement_correct"),
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/all/", views.moderator_feedback, name="moderator_feedback"),
]
