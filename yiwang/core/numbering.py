"""Daily sequence numbers ("<code><yyyymmdd><nnnn>") for cases and bundle cases."""

from datetime import date

from django.db import connection, models


def daily_sequence_next(*, counter: type[models.Model], key_field: str, key: str, day: date) -> int:
    """The next number of `key` on `day`, from a counter table with (key_field, day, last).

    One statement: INSERT ... ON CONFLICT (key, day) DO UPDATE SET last = last + 1 RETURNING last
    (PostgreSQL, and SQLite >= 3.35). The row stays locked by its writer until commit, so racing
    submissions on the same day are numbered one after the other.
    """
    table = connection.ops.quote_name(counter._meta.db_table)
    key_column = connection.ops.quote_name(counter._meta.get_field(key_field).column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, day, last) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({key_column}, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [key, day],
        )
        return cursor.fetchone()[0]
