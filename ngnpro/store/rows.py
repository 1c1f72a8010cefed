"""Rows <-> wire structs: column names are the snake_case of member names."""
import datetime
import re
from functools import lru_cache

_CAMEL = re.compile(r'(?<!^)(?=[A-Z])')


@lru_cache(maxsize=None)
def column_name(member):
    return _CAMEL.sub('_', member).lower()


def now():
    # Second precision: dates go on the wire as YYYY-MM-DD HH:MM:SS.
    return datetime.datetime.now().replace(microsecond=0)


def date_text(value):
    return value.strftime('%Y-%m-%d %H:%M:%S') if value else ''


def to_wire(row, members):
    """A row mapping -> {member: value} for the given wire member names."""
    out = {}
    for m in members:
        v = row.get(column_name(m))
        out[m] = date_text(v) if isinstance(v, datetime.datetime) else v
    return out


def to_columns(values, members, table):
    """{member: value} -> {column: value}, keeping members the table has."""
    cols = table.c
    return {column_name(m): values.get(m) for m in members
            if column_name(m) in cols}
