"""Keep the rank vector in the row (STORAGE MAIN) and move the long texts out instead.

PostgreSQL moves the largest values out of a row longer than ~2 kB, and the rank vector (title,
keywords and summary, ~1.3 kB) was often one of them: ranking a common word's 55,000 matches
then read 52,000 pages of TOAST besides the rows. With MAIN, the description and benefits go out
first and the rank vector stays beside the columns a search filters on. Rows written before this
migration keep their layout until they are next updated (or the table is rewritten).
"""

from django.db import migrations

from lib.schema import set_storage


class Migration(migrations.Migration):
    dependencies = [("listings", "0011_technology_partnerships")]

    operations = [set_storage("listings_technology", "rank_vector", "MAIN")]
