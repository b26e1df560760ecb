"""Operations shared by the apps' migrations."""

from django.db import migrations


def set_storage(table: str, column: str, storage: str) -> migrations.RunSQL:
    """A column's TOAST storage strategy (PLAIN, MAIN, EXTERNAL or EXTENDED, the default for
    variable-length types); reversible."""
    return migrations.RunSQL(
        f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET STORAGE {storage}',
        f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET STORAGE EXTENDED',
    )
