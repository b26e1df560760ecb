"""Let the planner find a common word's matches through the search index.

At 100,000 technologies PostgreSQL walked every published row (by the status btree, or the trl
one) and evaluated each one's search vector, kilobytes read out of TOAST per row: 2 s for a
word in half the catalogue, against 0.19 s through the GIN index (docs/performance.md). Its
cost model takes `@@` for as cheap as any operator. So: the indexes that offered the walk go
(the status alone, its pattern-ops twin, the TRL: `(status, -published_at)` serves the status
lookups, no page filters on TRL alone), and `@@` on a tsvector (ts_match_vq) is declared 10
times its default cost, which is what reading a vector costs against a plain comparison. Only
a superuser may change a built-in function; for another role the migration says so and goes
on (the DBA can run the ALTER FUNCTION; pg_dump does not carry it: run it after a restore).
"""

from django.db import migrations, models

MATCH_COST = """
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) COST %s;
    ELSE
        RAISE NOTICE 'not a superuser: run ALTER FUNCTION ts_match_vq(tsvector, tsquery) COST 10';
    END IF;
END
$$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('listings', '0012_rank_vector_in_row'),
    ]

    operations = [
        migrations.RunSQL(MATCH_COST % 10, MATCH_COST % 1),
        migrations.RemoveIndex(
            model_name='technology',
            name='technology_trl',
        ),
        migrations.AlterField(
            model_name='technology',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted for review'), ('changes_requested', 'Changes requested'), ('published', 'Published'), ('rejected', 'Rejected'), ('withdrawn', 'Withdrawn'), ('expired', 'Expired')], default='draft', max_length=20, verbose_name='status'),
        ),
    ]
