"""`ngnpro db init|upgrade|check`: create, upgrade and verify the database
(docs/operations.md)."""
from ..store import migrations

HELP = 'database administration'


def add_parser(sub):
    p = sub.add_parser('db', help=HELP, description=HELP)
    p.add_argument('action', choices=['init', 'upgrade', 'check'],
                   help='init: create a new database (an existing one is '
                   'upgraded); upgrade: bring an earlier release\'s '
                   'database to this release\'s schema; check: say whether '
                   'the schema is current, check the tables, Kamailio\'s '
                   'version rows and the credit usage counters')
    p.add_argument('--repair', action='store_true',
                   help='with check: recompute the counters that drifted')
    return p


def run(args, config, store):
    if args.action == 'check':
        return check(store, args.repair)
    try:
        before, after = migrations.upgrade(store)
    except migrations.SchemaError as exc:
        raise SystemExit(str(exc))
    url = store.engine.url.render_as_string(hide_password=True)
    if before.kind == migrations.NEW:
        print('database created at schema revision %s: %s'
              % (after.describe(), url))
    elif before.kind == migrations.OLDER:
        print('database upgraded from schema revision %s to %s: %s'
              % (before.describe(), after.describe(), url))
    else:
        print('database ready (schema revision %s, current): %s'
              % (after.describe(), url))
    return 0


def check(store, repair):
    """Exit 0 when the schema is current and everything matches (or the
    counters were repaired)."""
    from ..store.check import schema_problems
    summary, problems = schema_problems(store)
    print(summary)
    for line in problems:
        print(line)
    if any('missing' in line or line.startswith('database has no')
           for line in problems):
        print('credit usage counters: not checked (tables are missing)')
        return 1
    return max(1 if problems else 0, _counters(store, repair))


def _counters(store, repair):
    from ..credits import tracker
    counters = tracker(store.schema)
    with store.engine.begin() as conn:
        drift = counters.check(conn)
        for owner, credit, stored, true in drift:
            print('customer %d %s: counter %d, records %d'
                  % (owner, credit, stored, true))
        if not drift:
            print('credit usage counters: all equal to the records')
            return 0
        if not repair:
            print('%d counters differ: run `ngnpro db check --repair`'
                  % len(drift))
            return 1
        n = counters.repair(conn)
    print('credit usage counters recomputed (%d)' % n)
    return 0
