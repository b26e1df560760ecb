import math
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import i18n
from django.views.decorators.http import require_POST

from . import services
from .access import organization_admin_required
from .forms import LoginForm, MemberRoleForm, OrganizationForm, ProfileForm, SignupForm
from .models import Membership
from .throttling import SignupThrottle

# Why a visitor sent to sign in from a page is asked to: by the page's URL name.
SIGN_IN_REASONS = {
    "dashboard": gettext_lazy("Please sign in to see your dashboard."),
    "listings:technology_create": gettext_lazy("Please sign in to post a technology."),
    "needs:need_create": gettext_lazy("Please sign in to post a need."),
    "listings:technology_detail": gettext_lazy(
        "Please sign in to request a licence or collaboration."
    ),
    "licensing:request_create": gettext_lazy(
        "Please sign in to request a licence or collaboration."
    ),
}


def sign_in_reason(next_url: str) -> str:
    """What the page a visitor was sent from needs them signed in for ("" without a next page)."""
    if not next_url:
        return ""
    try:
        match = resolve(urlsplit(next_url).path)
    except Resolver404:
        return ""
    return str(SIGN_IN_REASONS.get(match.view_name, _("Please sign in to see this page.")))


class LoginView(auth_views.LoginView):
    """Anyone. Failed attempts are throttled by django-axes."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.method == "GET":
            context["sign_in_reason"] = sign_in_reason(self.get_redirect_url())
        return context


def signup(request):
    """Anonymous visitors: create an account and an organisation, or ask to join one."""
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignupForm(request.POST or None)
    if request.method != "POST":
        return render(request, "accounts/signup.html", {"form": form})
    throttle = SignupThrottle()
    if not throttle.allow_request(request, None):
        return _too_many_signups(request, form, throttle.wait())
    if form.is_valid():
        data = form.cleaned_data
        # None when the address already has an account: the answer is the same either way
        # (its holder gets an e-mail), so this page never tells who is registered.
        services.register(
            email=data["email"],
            full_name=data["full_name"],
            password=data["password1"],
            organization=data.get("existing_organization"),
            new_organization=form.new_organization(),
        )
        return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form}, status=400)


def _too_many_signups(request, form, wait_seconds):
    """The form again, as typed, with a 429 that says when to try again."""
    minutes = max(1, math.ceil((wait_seconds or 60) / 60))
    form.add_error(
        None,
        ngettext(
            "Too many sign-up attempts came from your network. Please try again in "
            "%(minutes)d minute.",
            "Too many sign-up attempts came from your network. Please try again in "
            "%(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes},
    )
    response = render(request, "accounts/signup.html", {"form": form}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


def set_language(request):
    """Anyone: Django's language switch; a signed-in user's choice is also stored, so that
    their e-mails arrive in it."""
    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.set_language(request.user, request.POST.get("language", ""))
    return response


def verify_email(request, token):
    """Anyone holding the link from the verification e-mail."""
    user = services.verify_email(token)
    if user is None:
        messages.error(request, _("This confirmation link is invalid or has expired."))
        return render(request, "accounts/verify_needed.html", status=400)
    messages.success(request, _("Thank you: your e-mail address is confirmed."))
    return redirect("dashboard" if request.user.is_authenticated else "accounts:login")


@login_required
def verify_needed(request):
    """Signed-in users: explains the pending verification and resends the link on request."""
    if request.method == "POST" and not request.user.is_verified:
        services.send_verification_email(request.user)
        messages.success(request, _("We have sent a new confirmation link."))
        return redirect("accounts:verify_needed")
    return render(request, "accounts/verify_needed.html")


@login_required
def profile(request):
    """Signed-in users: their own name."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    return render(
        request, "accounts/profile.html", {"form": form}, status=400 if form.errors else 200
    )


@organization_admin_required
def organization_edit(request):
    """Organisation administrators: their organisation's profile and logo."""
    organization = request.user.organization
    form = OrganizationForm(request.POST or None, request.FILES or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The organisation profile was saved."))
        return redirect(organization.get_absolute_url())
    return render(
        request,
        "accounts/organization_form.html",
        {"form": form, "organization": organization},
        status=400 if form.errors else 200,
    )


@organization_admin_required
def members(request):
    """Organisation administrators: members and join requests of their organisation."""
    organization = request.user.organization
    memberships = organization.memberships.select_related("user").order_by(
        "status", "user__full_name"
    )
    return render(
        request,
        "accounts/members.html",
        {
            "organization": organization,
            "memberships": memberships,
            "roles": Membership.Role.choices,
        },
    )


def _own_membership(request, pk) -> Membership:
    # Scoped to the administrator's organisation: any other membership is a 404.
    return get_object_or_404(
        Membership.objects.select_related("user", "organization"),
        pk=pk,
        organization=request.user.organization,
    )


@require_POST
@organization_admin_required
def member_approve(request, pk):
    membership = _own_membership(request, pk)
    if membership.status == Membership.Status.PENDING:
        services.approve_membership(membership, by=request.user)
        messages.success(request, _("%(name)s is now a member.") % {"name": membership.user})
    return redirect("accounts:members")


@require_POST
@organization_admin_required
def member_remove(request, pk):
    membership = _own_membership(request, pk)
    try:
        services.remove_membership(membership, by=request.user)
    except services.MembershipError as error:
        messages.error(request, str(error))
        return redirect("accounts:members")
    messages.success(request, _("%(name)s was removed.") % {"name": membership.user})
    return redirect("accounts:members")


@require_POST
@organization_admin_required
def member_role(request, pk):
    membership = _own_membership(request, pk)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This role change is not possible."))
        return redirect("accounts:members")
    try:
        services.set_role(membership, form.cleaned_data["role"], by=request.user)
    except services.MembershipError as error:
        messages.error(request, str(error))
        return redirect("accounts:members")
    messages.success(request, _("The role of %(name)s was changed.") % {"name": membership.user})
    return redirect("accounts:members")


password_change = login_required(
    auth_views.PasswordChangeView.as_view(
        template_name="accounts/form_page.html",
        success_url=reverse_lazy("accounts:password_change_done"),
        extra_context={"title": _("Change password")},
    )
)
