"""ListingEvent.kind and ListingDailyStats.kind become listing_type ("kind" named six
different things). PostgreSQL renames the columns in place and the index and unique constraint
follow them, so the database only renames; the state rebuilds the two definitions."""

from django.db import migrations, models

RENAMES = [
    migrations.RenameField(model_name="listingevent", old_name="kind", new_name="listing_type"),
    migrations.RenameField(
        model_name="listingdailystats", old_name="kind", new_name="listing_type"
    ),
]


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_event_log_and_daily_stats")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=RENAMES,
            state_operations=[
                migrations.RemoveIndex(model_name="listingevent", name="listingevent_day"),
                migrations.RemoveConstraint(
                    model_name="listingdailystats", name="listingdailystats_unique_day"
                ),
                *RENAMES,
                migrations.AddIndex(
                    model_name="listingevent",
                    index=models.Index(
                        fields=["day", "listing_type", "listing_id"], name="listingevent_day"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="listingdailystats",
                    constraint=models.UniqueConstraint(
                        fields=["listing_type", "listing_id", "day"],
                        name="listingdailystats_unique_day",
                    ),
                ),
            ],
        )
    ]
