"""`python manage.py warm_caches`: read what the pages and matching use into PostgreSQL's
buffers (lib/pgwarm.py). Run after a deploy or a restart without autoprewarm; the benchmark runs
it after building its database."""

from django.core.management.base import BaseCommand

from lib.pgwarm import warm

#: Most read first: what every search and detail page reads, then matching, then the rest of the
#: public pages; whatever does not fit in the buffers is only prefetched.
TABLES = [
    "listings_technology",
    "listings_field",
    "listings_technology_fields",
    "accounts_organization",
    "listings_technologyimage",
    "needs_need",
    "needs_need_fields",
    "matching_suggestion",
    "matching_profile",
    "matching_posting",
    "matching_term",
    "matching_match",
    "analytics_listingdailystats",
    "listings_patent",
    "portal_cache",
    "django_session",
    "accounts_user",
    "accounts_membership",
]


class Command(BaseCommand):
    help = (
        "Load the listings, their search indexes and the matching tables into PostgreSQL's buffers."
    )

    def handle(self, *args, **options):
        self.stdout.write("Warming PostgreSQL's buffers (pg_prewarm)…")
        result = warm(TABLES, out=self.stdout.write)
        self.stdout.write(f"warm_caches: {result.summary()}")
