"""`ngnpro import FILE`: customers, SIP domains, accounts and aliases, DNS
zones and records, ENUM ranges and numbers from CSV or JSON
(ngnpro.commands.bulk), each record through its SOAP add operation
in-process (ngnpro.dispatch.Dispatcher.invoke), so that rights, validation,
credits and the journal are exactly an API call's.

One transaction for the whole file and a savepoint per record: by default
any rejected record leaves the database as it was (every rejected record
is listed, with its line and the fault); --keep-going commits the others;
--dry-run rolls everything back after checking it all.
"""
import logging
import sys

from . import bulk

HELP = ('import customers, SIP domains, accounts, aliases, DNS zones and '
        'records, ENUM ranges and numbers (CSV or JSON)')
CLIENT = 'ngnpro-import'
# Runs the operations of this release: on its schema only (ngnpro.cli).
NEEDS_CURRENT_SCHEMA = True
log = logging.getLogger('ngnpro')


def add_parser(sub):
    p = sub.add_parser('import', help=HELP, description=HELP)
    p.add_argument('file', help='the file (- reads standard input)')
    p.add_argument('--format', choices=['csv', 'json'],
                   help='default: json for *.json, else csv')
    p.add_argument('--kind', choices=bulk.ORDER,
                   help='what the records of a CSV file or a JSON list are '
                   '(default accounts)')
    p.add_argument('--as', dest='login', default='admin', metavar='LOGIN',
                   help='act as this customer login, with its rights and '
                   'credits (default: admin)')
    p.add_argument('--keep-going', action='store_true',
                   help='commit the good records, list the rejected ones')
    p.add_argument('--dry-run', action='store_true',
                   help='check every record, write nothing')
    p.add_argument('--progress-interval', type=float, default=5.0,
                   metavar='SECONDS', help='seconds between progress lines '
                   'when not on a terminal (default 5)')
    return p


class _RollBack(Exception):
    pass


def run(args, config, store, out=None, err=None):
    from ..auth import acting_as
    from ..dispatch import Dispatcher
    from ..faults import NGNProError
    from ports import all_ports

    out, err = out or sys.stdout, err or sys.stderr
    d = Dispatcher(config, store, all_ports())
    try:
        records = bulk.read(args.file, args.format, args.kind, d)
    except bulk.FileError as exc:
        raise SystemExit('ngnpro import: %s' % exc)
    renumbered = {}     # customer id in the file -> id given here
    rejected, effects, imported = [], [], 0
    progress = bulk.Progress(len(records), 'import', err,
                             args.progress_interval)
    try:
        with store.unit_of_work() as conn:
            principal = acting_as(conn, store.schema, config, args.login)
            if principal is None:
                raise SystemExit('ngnpro import: --as %s: no such customer '
                                 'login' % args.login)
            for record in records:
                kind, values = record.kind, prepared(record, renumbered)
                try:
                    with conn.begin_nested():
                        result = d.invoke(conn, principal, kind.port,
                                          kind.add, {kind.argument: values},
                                          client=CLIENT, after_commit=effects)
                except NGNProError as exc:
                    rejected.append((record.where, exc))
                else:
                    imported += 1
                    _renumber(record, result, renumbered)
                progress.advance()
            progress.close()
            if args.dry_run or (rejected and not args.keep_going):
                raise _RollBack()
    except _RollBack:
        pass
    for where, exc in rejected:
        print('%s: %s (fault %d)' % (where, exc.errorstring, exc.errorcode),
              file=out)
    committed = not args.dry_run and (args.keep_going or not rejected)
    if committed:
        for hook in effects:        # reloads, once, after the commit
            try:
                hook()
            except Exception as exc:
                log.error('after-commit effect failed: %s', exc)
    print(summary(len(records), imported, len(rejected), committed,
                  args.dry_run), file=out)
    return 1 if rejected else 0


def summary(total, imported, rejected, committed, dry_run):
    if dry_run:
        return ('import (dry run): %d of %d records would be imported, %d '
                'rejected; nothing written' % (imported, total, rejected))
    if not committed:
        return ('import: nothing imported: %d of %d records rejected (the '
                'file is imported all or nothing; --keep-going imports the '
                'others)' % (rejected, total))
    return 'import: %d of %d records imported, %d rejected' % (
        imported, total, rejected)


def prepared(record, renumbered):
    """The record's values as its add operation takes them: members the
    server sets dropped; customer ids of the file mapped to the ids the
    customers imported before got here."""
    kind = record.kind
    if not isinstance(record.values, dict):
        return record.values    # the operation says what is wrong with it
    values = kind.cleaned(record.values)
    own = values.pop('id', None) if kind.name == 'customers' else None
    for member in kind.refs:
        value = values.get(member)
        key = _int(value)
        if key is None:
            continue
        if own is not None and key == _int(own):
            values[member] = 0      # itself: a reseller of its own
        elif key in renumbered:
            values[member] = renumbered[key]
    return values


def _renumber(record, result, renumbered):
    if record.kind.name != 'customers':
        return
    old = _int(record.values.get('id')) if isinstance(record.values,
                                                      dict) else None
    new = result.get('id') if isinstance(result, dict) else \
        getattr(result, 'id', None)
    if old is not None and new is not None:
        renumbered[old] = int(new)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
