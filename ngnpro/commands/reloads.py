"""`ngnpro reloads`: the after-commit effects (Kamailio reloads, PowerDNS
purges) that could not be sent yet and are being retried (ngnpro.live), by
every server on the database. Exit status 1 while some are pending, so
that monitoring can run it as a check."""
import json

HELP = 'list the reloads still to be sent to Kamailio or PowerDNS'


def add_parser(sub):
    p = sub.add_parser('reloads', help=HELP, description=HELP)
    p.add_argument('--json', action='store_true', help='one JSON object '
                   'per pending reload')
    p.add_argument('--limit', type=int, default=100,
                   help='oldest entries shown (default 100)')
    return p


def run(args, config, store):
    from .. import live
    with store.engine.connect() as conn:
        entries = live.pending(conn, store.schema, config,
                               limit=max(1, args.limit))
    for e in entries:
        if args.json:
            print(json.dumps(e, sort_keys=True))
            continue
        argument = '' if e['argument'] in ('', '[]') else ' ' + e['argument']
        print('%s %s%s: %d attempts since %s, next %s, last error: %s' % (
            e['target'], e['method'], argument, e['attempts'], e['since'],
            e['next_try'], e['error'] or '-'))
    if not args.json:
        print('%d reloads pending' % len(entries) if entries else
              'no reloads pending')
    return 1 if entries else 0
