from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from . import views
from .forms import PasswordResetForm

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path(
        "signup/sent/",
        TemplateView.as_view(
            template_name="accounts/message_page.html",
            extra_context={
                "title": _("Check your e-mail"),
                "text": _(
                    "We have sent a message to the address you gave. Open its link to confirm "
                    "the address, then sign in."
                ),
            },
        ),
        name="signup_sent",
    ),
    path("verify/", views.verify_needed, name="verify_needed"),
    path("verify/<str:token>/", views.verify_email, name="verify_email"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.password_change, name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/message_page.html",
            extra_context={"title": _("Password changed"), "text": _("Your password was changed.")},
        ),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=PasswordResetForm,
            template_name="accounts/form_page.html",
            email_template_name="emails/password_reset.txt",
            subject_template_name="emails/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
            extra_context={"title": _("Reset your password")},
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="accounts/message_page.html",
            extra_context={
                "title": _("Check your e-mail"),
                "text": _(
                    "If an account uses this address, we have sent it a link to set a new password."
                ),
            },
        ),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/form_page.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
            extra_context={"title": _("Choose a new password")},
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/message_page.html",
            extra_context={
                "title": _("Password set"),
                "text": _("You can now sign in with your new password."),
            },
        ),
        name="password_reset_complete",
    ),
    path("organisation/", views.organization_edit, name="organization_edit"),
    path("organisation/members/", views.members, name="members"),
    path("organisation/members/<int:pk>/approve/", views.member_approve, name="member_approve"),
    path("organisation/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("organisation/members/<int:pk>/role/", views.member_role, name="member_role"),
]
