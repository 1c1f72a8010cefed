"""What the revision files use. Revisions are history: they must keep
working unchanged, so this module only ever grows (never change what an
existing function does).

Revisions declare their tables on a MetaData of their own, frozen as they
were at that release, and create what the database does not have yet:
a table created by Kamailio's or PowerDNS's own schema file first, or by
a development build between two releases, is left as it is.
"""
import sqlalchemy as sa
from sqlalchemy import inspect


class Names:
    """The deployment's names of native tables ({default: name}, from the
    [*_tables] sections); ``db.table`` is a table in another database of
    the same server."""

    def __init__(self, native_names=None):
        self.names = dict(native_names or {})

    def split(self, key):
        """(table, schema or None) of a native table."""
        database, _, table = self.names.get(key, key).rpartition('.')
        return table, database or None

    def table(self, metadata, key, *columns, **options):
        name, schema = self.split(key)
        return sa.Table(name, metadata, *columns, schema=schema, **options)


def create_missing(bind, metadata):
    """Create the tables of ``metadata`` the database lacks, and the
    indexes that existing ones lack; returns the names of the tables
    created."""
    created = []
    insp = inspect(bind)
    for table in metadata.sorted_tables:
        if not insp.has_table(table.name, schema=table.schema):
            table.create(bind)
            created.append(table.name)
            continue
        have = {i['name'] for i in insp.get_indexes(table.name,
                                                    schema=table.schema)}
        for index in table.indexes:
            if index.name not in have:
                index.create(bind)
    return created


def create_indexes(bind, names, table_key, native, *indexes):
    """Indexes (name, [columns], unique) on an existing table, unless the
    database has them already."""
    if native:
        table, schema = names.split(table_key)
    else:
        table, schema = table_key, None
    insp = inspect(bind)
    have = {i['name'] for i in insp.get_indexes(table, schema=schema)}
    metadata = sa.MetaData()
    columns = {c for _, cols, _ in indexes for c in cols}
    t = sa.Table(table, metadata, *[sa.Column(c) for c in sorted(columns)],
                 schema=schema)
    for name, cols, unique in indexes:
        if name not in have:
            sa.Index(name, *[t.c[c] for c in cols], unique=unique).create(bind)


def add_versions(bind, names, versions):
    """Kamailio's ``version`` rows of native tables ({key: version}), for
    the tables that have none yet."""
    version = sa.table('version', sa.column('table_name'),
                       sa.column('table_version'))
    have = set(bind.execute(sa.select(version.c.table_name)).scalars())
    rows = [{'table_name': names.split(key)[0], 'table_version': v}
            for key, v in versions.items()
            if names.split(key)[0] not in have]
    if rows:
        bind.execute(version.insert(), rows)
