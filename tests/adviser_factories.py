"""Factories for the IP-adviser tests: an assignment is a real row made through the service."""

import datetime

from django.utils import timezone

from accounts.models import Organization
from advisers import services
from tests.factories import make_organization, make_staff, make_user


def make_assignment(organization=None, adviser=None, *, days_before=10, days_after=10, by=None):
    """An assignment around today (negative days_after: it has ended)."""
    today = timezone.localdate()
    organization = organization or make_organization(type=Organization.Type.UNIVERSITY)
    adviser = adviser or make_user()
    start = today - datetime.timedelta(days=days_before)
    end = today + datetime.timedelta(days=days_after)
    return services.appoint(adviser, organization, start, end, by or make_staff())
