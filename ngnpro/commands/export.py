"""`ngnpro export`: customers, SIP domains, accounts and aliases, DNS zones
and records, ENUM ranges and numbers as JSON or CSV (ngnpro.commands.bulk),
read through the SOAP listings in-process, so that a login given with --as
sees what it would see over the API.

What the export writes, `ngnpro import` takes back: members the server
sets (dates, HA1, balances) are left out, and an account whose clear text
password is not kept is written with its digests (``ha1:ha1b``), which
addAccount takes as they are.
"""
import argparse
import csv
import json
import os
import sys

from . import bulk

HELP = ('export customers, SIP domains, accounts, aliases, DNS zones and '
        'records, ENUM ranges and numbers (JSON or CSV)')
PAGE = 1000
# Runs the operations of this release: on its schema only (ngnpro.cli).
NEEDS_CURRENT_SCHEMA = True


def add_parser(sub):
    p = sub.add_parser('export', help=HELP, description=HELP)
    p.add_argument('--kind', action='append', choices=bulk.ORDER,
                   help='what to export (repeat; default: all for JSON, '
                   'accounts for CSV, which holds one kind)')
    p.add_argument('--format', choices=['csv', 'json'],
                   help='default: csv for *.csv output, else json')
    p.add_argument('-o', '--output', default='-',
                   help='file to write (default standard output)')
    p.add_argument('--as', dest='login', default='admin', metavar='LOGIN',
                   help='export what this customer login sees (default: '
                   'admin, everything)')
    p.add_argument('--progress-interval', type=float, default=5.0,
                   metavar='SECONDS', help=argparse.SUPPRESS)
    return p


def run(args, config, store, err=None):
    from ..auth import acting_as
    from ..dispatch import Dispatcher
    from ..faults import NGNProError
    from ports import all_ports

    err = err or sys.stderr
    fmt = args.format or ('csv' if args.output.lower().endswith('.csv')
                          else 'json')
    kinds = args.kind or (['accounts'] if fmt == 'csv' else list(bulk.ORDER))
    if fmt == 'csv' and len(set(kinds)) > 1:
        raise SystemExit('ngnpro export: a CSV file holds one kind; give '
                         'one --kind')
    kinds = [k for k in bulk.ORDER if k in kinds]
    d = Dispatcher(config, store, all_ports())
    data = {}
    with store.unit_of_work(write=False) as conn:
        principal = acting_as(conn, store.schema, config, args.login)
        if principal is None:
            raise SystemExit('ngnpro export: --as %s: no such customer '
                             'login' % args.login)
        try:
            for name in kinds:
                data[name] = records(d, conn, principal, bulk.KINDS[name],
                                     err, args.progress_interval)
        except NGNProError as exc:
            raise SystemExit('ngnpro export: %s (fault %d)'
                             % (exc.errorstring, exc.errorcode))
    stream = sys.stdout if args.output == '-' else \
        open(args.output, 'w', encoding='utf-8', newline='')
    try:
        write(d, stream, fmt, kinds, data)
    except BrokenPipeError:         # `ngnpro export | head`
        # Nothing more to say to a reader that left (not even at exit).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        if stream is not sys.stdout:
            stream.close()
    print('export: %s' % ', '.join('%d %s' % (len(data[k]), k)
                                   for k in kinds), file=err)
    return 0


def write(d, stream, fmt, kinds, data):
    """The records, as JSON or as CSV of one kind."""
    if fmt == 'json':
        json.dump(data, stream, indent=1, sort_keys=True)
        stream.write('\n')
    else:
        kind = bulk.KINDS[kinds[0]]
        rows = [bulk.flatten(r) for r in data[kind.name]]
        columns = bulk.csv_columns(bulk.struct_of(d, kind),
                                   data[kind.name])
        writer = csv.writer(stream, lineterminator='\n')
        writer.writerow(columns)
        for r in rows:
            writer.writerow([bulk.csv_cell(r.get(c)) for c in columns])


def records(d, conn, principal, kind, err, interval):
    """Every record of ``kind`` the principal sees, page by page in one
    read transaction, as the import takes them."""
    out, start, progress = [], 0, None
    while True:
        answer = d.invoke(conn, principal, kind.port, kind.listing, {
            'query': {'filter': {}, 'range': {'start': start, 'count': PAGE},
                      'orderBy': {'attribute': kind.order,
                                  'direction': 'ASC'}}})
        page = answer[kind.items] or []
        if progress is None:
            progress = bulk.Progress(answer['total'], 'export %s'
                                     % kind.name, err, interval)
        out += [cleaned(kind, plain(r)) for r in page]
        progress.advance(len(page))
        start += len(page)
        if not page or start >= answer['total']:
            break
    progress.close()
    if kind.name == 'accounts':
        _digests(d, conn, out)
    return out


def _digests(d, conn, accounts):
    """Accounts whose clear text password is not kept: their digests."""
    from ..store.sip.accounts import digests_of
    missing = [(a['id']['username'], a['id']['domain']) for a in accounts
               if not a.get('password')]
    found = {}
    for i in range(0, len(missing), 500):
        found.update(digests_of(conn, d.store.schema, missing[i:i + 500]))
    for a in accounts:
        if not a.get('password'):
            key = (a['id']['username'], a['id']['domain'])
            if key in found:
                a['password'] = found[key]


def cleaned(kind, record):
    record = kind.cleaned(record)
    return {k: v for k, v in record.items()
            if v is not None and v != '' and v != []}


def plain(value):
    """An answer (dicts, lists, spyne models) as JSON values."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    members = getattr(type(value), '_type_info', None)
    if members is not None:
        return {k: plain(getattr(value, k, None)) for k in members}
    return str(value)
