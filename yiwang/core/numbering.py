"""Counters: daily sequence numbers ("<code><yyyymmdd><nnnn>") for cases and bundle cases, licence serials,
document numbers."""

from datetime import date

from django.db import connection, models


def counter_next(*, counter: type[models.Model], key: dict) -> int:
    """The next number of a counter row (the key's columns and `last`): one statement,
    INSERT ... ON CONFLICT (key columns) DO UPDATE SET last = last + 1 RETURNING last (PostgreSQL, and
    SQLite >= 3.35). The row stays locked by its writer until commit, so racing callers on the same key
    are numbered one after the other and only they wait for each other."""
    qn = connection.ops.quote_name
    table = qn(counter._meta.db_table)
    columns = [qn(counter._meta.get_field(name).column) for name in key]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}, last) VALUES ({', '.join(['%s'] * len(key))}, 1) "
            f"ON CONFLICT ({', '.join(columns)}) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            list(key.values()),
        )
        return cursor.fetchone()[0]


def daily_sequence_next(*, counter: type[models.Model], key_field: str, key: str, day: date) -> int:
    """The next number of `key` on `day`, from a counter table with (key_field, day, last)."""
    return counter_next(counter=counter, key={key_field: key, "day": day})
