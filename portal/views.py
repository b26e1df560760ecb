from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import cache_control

from . import hooks


def home(request):
    """Anyone: what the exchange is and what is new."""
    return render(request, "portal/home.html", hooks.collect("home"))


def about(request):
    """Anyone: the exchange, its data sources and credits."""
    return render(request, "portal/about.html")


@login_required
def dashboard(request):
    """Signed-in users: their organisation's work in one place."""
    return render(request, "portal/dashboard.html", hooks.collect("dashboard", request.user))


@cache_control(max_age=86400, public=True)
def robots_txt(request):
    """Anyone: crawler rules and the sitemap's address."""
    return render(request, "robots.txt", content_type="text/plain")


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: the context processors use the database, which may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
