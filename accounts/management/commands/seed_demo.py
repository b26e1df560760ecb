"""Demo data for local use: organisations, one user of each role, and demo listings.

Idempotent: running it again updates the same rows and never removes what users created.
The passwords are for local development only and are printed at the end.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import BaseCommand, call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import MODERATOR_GROUP, Membership, Organization, User

DEMO_PASSWORD = "demo-portal-2026"

ORGANIZATIONS = [
    {
        "key": "demo-utokyo",
        "name": "Kanto Institute of Technology",
        "name_ja": "関東工業大学",
        "type": "university",
        "country": "JP",
        "city": "Tokyo",
        "verified": True,
    },
    {
        "key": "demo-kyoto",
        "name": "Kansai University of Science",
        "name_ja": "関西理科大学",
        "type": "university",
        "country": "JP",
        "city": "Kyoto",
        "verified": False,
    },
    {
        "key": "demo-aist",
        "name": "National Institute for Materials Research",
        "name_ja": "国立材料研究所",
        "type": "research_institute",
        "country": "JP",
        "city": "Tsukuba",
        "verified": True,
    },
    {
        "key": "demo-maker",
        "name": "Setouchi Manufacturing Co., Ltd.",
        "name_ja": "瀬戸内製作所",
        "type": "company",
        "country": "JP",
        "city": "Okayama",
        "verified": True,
    },
    {
        "key": "demo-startup",
        "name": "GreenLoop Start-up",
        "name_ja": "",
        "type": "startup",
        "country": "SG",
        "city": "Singapore",
        "verified": False,
    },
]

USERS = [
    # e-mail, name, organisation key, role, moderator group, superuser, what they demonstrate
    (
        "provider@demo.local",
        "Aiko Tanaka",
        "demo-utokyo",
        "member",
        False,
        False,
        "university member (provider)",
    ),
    (
        "orgadmin@demo.local",
        "Hiroshi Sato",
        "demo-utokyo",
        "admin",
        False,
        False,
        "organisation administrator",
    ),
    (
        "seeker@demo.local",
        "Kenji Watanabe",
        "demo-maker",
        "admin",
        False,
        False,
        "company member (seeker)",
    ),
    ("moderator@demo.local", "Yuki Suzuki", None, None, True, False, "JPO moderator"),
    (
        "admin@demo.local",
        "Site Administrator",
        None,
        None,
        True,
        True,
        "site administrator (Django admin)",
    ),
]


class Command(BaseCommand):
    help = "Load demo organisations, users and listings (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-listings", action="store_true", help="Skip the demo listings bundle."
        )

    @transaction.atomic
    def handle(self, *args, no_listings=False, **options):
        organizations = {}
        for row in ORGANIZATIONS:
            row = dict(row)
            key = row.pop("key")
            organizations[key], _ = Organization.objects.update_or_create(
                import_key=key, defaults=row
            )
        self.stdout.write(f"organisations: {len(organizations)}")

        moderator_group = Group.objects.get(name=MODERATOR_GROUP)
        for email, name, org_key, role, is_moderator, is_superuser, _what in USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name)
            user.full_name = name
            user.email_verified_at = user.email_verified_at or timezone.now()
            user.is_staff = user.is_superuser = is_superuser
            user.save()
            if is_moderator:
                user.groups.add(moderator_group)
            if org_key:
                Membership.objects.update_or_create(
                    user=user,
                    defaults={
                        "organization": organizations[org_key],
                        "role": role,
                        "status": Membership.Status.ACTIVE,
                    },
                )
        self.stdout.write(f"users: {len(USERS)}")

        if not no_listings:
            self.load_listings()

        self.stdout.write("")
        self.stdout.write(
            "Demo accounts (local development only), password for all: " + DEMO_PASSWORD
        )
        for email, _name, _org, _role, _moderator, _su, what in USERS:
            self.stdout.write(f"  {email:<24} {what}")
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_demo: {len(organizations)} organisations and {len(USERS)} users ready"
            )
        )

    def load_listings(self):
        bundle = settings.BASE_DIR / "data" / "matching-dev.json"
        call_command("import_bundle", str(bundle), "--publish", stdout=self.stdout)
        # As the nightly rebuild leaves them: norms from the final frequencies, and every
        # suggestion list stored, technologies' first with their hub values.
        call_command("suggestions_rebuild", stdout=self.stdout)
