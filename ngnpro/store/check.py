"""What `ngnpro db check` verifies besides the credit counters: that the
schema is at this server's revision, that every table the server uses is
there with every column it reads or writes (the native ones are made by
Kamailio's, PowerDNS's or CDRTool's own schema files as often as by us),
and that Kamailio's ``version`` rows are the ones its modules expect
(a module refuses to start on a wrong one).

Each problem is one line naming the table.
"""
from sqlalchemy import inspect, select

from . import migrations


def schema_problems(store):
    """-> (summary line of the revision, [problem lines])."""
    st = migrations.state(store)
    problems = []
    if st.kind == migrations.CURRENT:
        summary = 'schema: revision %s, current' % st.describe()
    elif st.kind == migrations.NEW:
        summary = 'schema: no NGNPro tables'
        problems.append('database has no NGNPro tables: run `ngnpro db '
                        'init`')
    elif st.kind == migrations.UNKNOWN:
        summary = 'schema: revision %s, unknown' % st.revision
        problems.append(migrations.unknown_message(st))
    else:
        summary = 'schema: revision %s, older than %s' % (
            st.describe(), migrations.describe(st.head))
        problems.append('schema is older than this server\'s: run `ngnpro '
                        'db upgrade`')
    if st.kind != migrations.NEW:
        problems += table_problems(store) + version_problems(store)
    return summary, problems


def table_problems(store):
    out = []
    with store.engine.connect() as conn:
        insp = inspect(conn)
        for table in store.schema.metadata.sorted_tables:
            label = _label(table)
            if not insp.has_table(table.name, schema=table.schema):
                out.append('table %s is missing' % label)
                continue
            have = {c['name'].lower() for c in
                    insp.get_columns(table.name, schema=table.schema)}
            missing = [c.name for c in table.columns
                       if c.name.lower() not in have]
            if missing:
                out.append('table %s: column%s %s missing' % (
                    label, 's' if len(missing) > 1 else '',
                    ', '.join(missing)))
    return out


def version_problems(store):
    """Kamailio's version row of every native table it checks."""
    s = store.schema
    with store.engine.connect() as conn:
        if not inspect(conn).has_table(s.version.name):
            return ['table version is missing']
        rows = dict(conn.execute(select(s.version.c.table_name,
                                        s.version.c.table_version)).all())
    out = []
    for name, wanted in sorted(s.versions.items()):
        found = rows.get(name)
        if found is None:
            out.append('table %s: no row in the version table (Kamailio '
                       'expects %d)' % (name, wanted))
        elif int(found) != wanted:
            out.append('table %s: version row says %s, Kamailio 5.6 and '
                       'this server use %d' % (name, found, wanted))
    return out


def _label(table):
    return '%s.%s' % (table.schema, table.name) if table.schema \
        else table.name
