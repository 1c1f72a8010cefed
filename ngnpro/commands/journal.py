"""`ngnpro journal`: who changed what, and when, from the audit journal."""
import datetime
import json
import re

from sqlalchemy import delete, select

HELP = 'show the audit journal of changes (or purge old entries)'


def add_parser(sub):
    p = sub.add_parser('journal', help=HELP, description=HELP)
    p.add_argument('--since', help='from this date or time (YYYY-MM-DD '
                   '[HH:MM[:SS]]), or this long ago (30m, 12h, 7d)')
    p.add_argument('--customer', type=int, help='changes to records of '
                   'this customer or reseller id')
    p.add_argument('--key', help='record key, e.g. alice@example.com '
                   '(%% and _ are wildcards)')
    p.add_argument('--operation', help='Port.operation, e.g. '
                   'SipPort.updateAccount (wildcards allowed)')
    p.add_argument('--limit', type=int, default=100,
                   help='newest entries shown (default 100)')
    p.add_argument('--json', action='store_true',
                   help='JSON lines with the records before and after')
    p.add_argument('--purge', action='store_true', help='delete entries '
                   'older than [journal] keep_days and exit')
    return p


def since(text, now=None):
    now = now or datetime.datetime.now()
    m = re.fullmatch(r'(\d+)([mhd])', text.strip())
    if m:
        unit = {'m': 'minutes', 'h': 'hours', 'd': 'days'}[m.group(2)]
        return now - datetime.timedelta(**{unit: int(m.group(1))})
    for fmt in ('%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d'):
        try:
            return datetime.datetime.strptime(text.strip(), fmt)
        except ValueError:
            pass
    raise SystemExit('--since: %r is neither a date nor 30m/12h/7d' % text)


def run(args, config, store):
    j = store.schema.journal
    if args.purge:
        cutoff = datetime.datetime.now() - datetime.timedelta(
            days=config.journal_keep_days)
        with store.engine.begin() as conn:
            n = conn.execute(delete(j).where(j.c.date < cutoff)).rowcount
        print('journal: %d entries older than %d days deleted'
              % (n, config.journal_keep_days))
        return 0
    q = select(j).order_by(j.c.id.desc()).limit(max(1, args.limit))
    if args.since:
        q = q.where(j.c.date >= since(args.since))
    if args.customer:
        q = q.where(j.c.owners.like('%%,%d,%%' % args.customer))
    if args.key:
        q = q.where(j.c.record.like(args.key))
    if args.operation:
        q = q.where(j.c.operation.like(args.operation))
    with store.engine.connect() as conn:
        rows = list(conn.execute(q).mappings())
    rows.reverse()
    if args.json:
        for r in rows:
            print(json.dumps({
                'id': r['id'], 'date': str(r['date']),
                'principal': r['principal'],
                'impersonated': r['impersonated'], 'client': r['client'],
                'operation': r['operation'], 'record': r['record'],
                'owners': r['owners'],
                'before': json.loads(r['before']),
                'after': json.loads(r['after'])}, sort_keys=True))
        return 0
    widths = (19, 20, 15, 30)
    head = ('date', 'who', 'from', 'operation')
    print('  '.join(h.ljust(w) for h, w in zip(head, widths)) + '  record')
    for r in rows:
        cells = (str(r['date']), r['principal'], r['client'], r['operation'])
        print('  '.join(str(c)[:w].ljust(w) for c, w in zip(cells, widths))
              + '  ' + r['record'])
    return 0
