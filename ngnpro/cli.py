"""ngnpro serve | ngnpro db init | ngnpro route NUMBER"""
import argparse
import sys

from .config import Config


def main(argv=None):
    parser = argparse.ArgumentParser(prog='ngnpro', description='NGNPro-'
                                     'compatible SOAP provisioning server')
    parser.add_argument('-c', '--config', help='configuration file '
                        '(default /etc/ngnpro/config.ini)')
    sub = parser.add_subparsers(dest='command', required=True)
    serve = sub.add_parser('serve', help='run the server')
    # Internal: a worker started by the supervisor, on these ports.
    serve.add_argument('--worker-ports', help=argparse.SUPPRESS)
    db = sub.add_parser('db', help='database administration')
    db.add_argument('action', choices=['init', 'check'],
                    help='init: create missing tables (idempotent); check: '
                    'compare the credit usage counters with the records')
    db.add_argument('--repair', action='store_true',
                    help='with check: recompute the counters that drifted')
    from .commands import journal
    commands = {'journal': journal}
    for module in commands.values():
        module.add_parser(sub)
    route = sub.add_parser('route', help='where the PSTN routing sends a '
                           'number (gateways, order, rewritten number)')
    route.add_argument('number', help='the dialled number, e.g. +31201234567')
    route.add_argument('--originator', default='', metavar='URI',
                       help='the caller: sip:user@domain, a domain or a '
                       'trusted peer\'s originator label')
    route.add_argument('--reseller', type=int, metavar='N',
                       help='whose routing (default: the reseller of the '
                       'originator\'s domain, else the platform\'s)')
    args = parser.parse_args(argv)
    config = Config.load(args.config)
    if args.command == 'serve':
        from .server import serve
        return serve(config, args.config, args.worker_ports and [
            int(p) for p in args.worker_ports.split(',')])
    if args.command in commands:
        from .store.db import Store
        store = Store(config.database_url,
                      native_tables=config.native_tables)
        try:
            return commands[args.command].run(args, config, store)
        finally:
            store.dispose()
    if args.command == 'route':
        return show_route(config, args)
    elif args.command == 'db':
        from sqlalchemy.exc import SQLAlchemyError
        from .store.db import Store
        try:
            store = Store(config.database_url,
                          native_tables=config.native_tables)
            if args.action == 'init':
                store.init()
                print('database ready: %s' % store.engine.url
                      .render_as_string(hide_password=True))
                return 0
            return _check(store, args.repair)
        except SQLAlchemyError as exc:
            raise SystemExit('database %s: %s' % (
                _safe_url(config.database_url), str(exc).splitlines()[0]))


def _check(store, repair):
    """Exit 0 when the counters match the records (or were repaired)."""
    from .credits import tracker
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


def show_route(config, args):
    """Print ngnpro.routing.route() of the stored routing: what Kamailio's
    lcr module does with the number (docs/pstn-routing.md)."""
    from sqlalchemy.exc import SQLAlchemyError
    from . import routing
    from .store.db import Store
    from .store.sip import pstn
    if routing.pstn_number(args.number) is None:
        raise SystemExit('%r is not a telephone number (digits, optionally '
                         'after a +)' % args.number)
    keys = routing.caller_keys(args.originator)
    try:
        store = Store(config.database_url, native_tables=config.native_tables)
        with store.unit_of_work(write=False) as conn:
            reseller = args.reseller
            if reseller is None:
                reseller = pstn.domain_reseller(
                    conn, store.schema, keys.get(routing.DOMAIN, '')) or 0
            table = pstn.routing_for(conn, store.schema, reseller)
    except SQLAlchemyError as exc:
        raise SystemExit('database %s: %s' % (
            _safe_url(config.database_url), str(exc).splitlines()[0]))
    decision = routing.route(table, args.number, args.originator)
    whose = ('reseller %d' % table.reseller) if table.reseller else \
        'the platform'
    print('%s from %s: routing of %s (lcr_id %d)' % (
        decision.number, args.originator or 'any caller', whose,
        table.lcr_id))
    if not decision.hops:
        print('no route: the call is refused (404 No PSTN Route)')
        return 1
    print('routes of prefix %r, %s' % (
        decision.prefix, 'originator %s' % decision.originator
        if decision.originator else 'any originator'))
    for hop in decision.hops:
        shared = sum(1 for h in decision.hops if h.rank == hop.rank) > 1
        rule = ('rule %d: strip %d, prepend %r' % (
            hop.rule.id, hop.rule.strip, hop.rule.prepend) if hop.rule
            else 'no rule')
        print('%3d. %s (carrier %s, route priority %d%s) %s  [%s]' % (
            hop.rank + 1, hop.gateway.name, hop.gateway.carrier,
            hop.route.priority, ', load shared' if shared else '', hop.uri,
            rule))
    return 0


def _safe_url(url):
    from sqlalchemy.engine import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:   # not even a URL: say so without echoing secrets
        return '(unparsable URL)'


if __name__ == '__main__':
    sys.exit(main())
