"""ngnpro serve | db init|upgrade|check | journal | reloads | import |
export | route NUMBER"""
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
    from .commands import db, export, import_, journal, reloads
    commands = {'db': db, 'journal': journal, 'reloads': reloads,
                'import': import_, 'export': export}
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
        if args.worker_ports is None:   # workers: their supervisor checked
            _require_known_schema(config)
        return serve(config, args.config, args.worker_ports and [
            int(p) for p in args.worker_ports.split(',')])
    if args.command == 'route':
        return show_route(config, args)
    from sqlalchemy.exc import SQLAlchemyError
    from .store.db import Store
    try:
        store = Store(config.database_url,
                      native_tables=config.native_tables)
        try:
            if getattr(commands[args.command], 'NEEDS_CURRENT_SCHEMA',
                       False):
                from .store import migrations
                problem = migrations.serving_problem(store)
                if problem:
                    raise SystemExit('ngnpro: %s' % problem)
            return commands[args.command].run(args, config, store)
        finally:
            store.dispose()
    except SQLAlchemyError as exc:
        raise _database_exit(config, exc)


def _require_known_schema(config):
    """Refuse to serve on a schema this release does not know (one line,
    naming the command that fixes it). A database that is not reachable
    yet is the server's to report (it starts and answers fault 108)."""
    from sqlalchemy.exc import SQLAlchemyError
    from .store import migrations
    from .store.check import version_problems
    from .store.db import Store
    try:
        store = Store(config.database_url, pool_size=1,
                      native_tables=config.native_tables)
    except SQLAlchemyError as exc:
        raise _database_exit(config, exc)
    try:
        problem = migrations.serving_problem(store)
        # Kamailio refuses to load a module on a wrong version row: the
        # server runs, and says which table is off.
        versions = [] if problem else version_problems(store)
    except SQLAlchemyError:
        return
    finally:
        store.dispose()
    if problem:
        raise SystemExit('ngnpro: %s' % problem)
    for line in versions:
        print('ngnpro: warning: %s (`ngnpro db check`)' % line,
              file=sys.stderr, flush=True)


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
        raise _database_exit(config, exc)
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


def _database_exit(config, exc):
    """One line for a database that refused us, without its password."""
    return SystemExit('database %s: %s' % (
        _safe_url(config.database_url), str(exc).splitlines()[0]))


def _safe_url(url):
    from sqlalchemy.engine import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:   # not even a URL: say so without echoing secrets
        return '(unparsable URL)'


if __name__ == '__main__':
    sys.exit(main())
