"""ngnpro serve | ngnpro db init | ngnpro wsdl DIR"""
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
    # Internal: a worker started by the supervisor on its listening socket.
    serve.add_argument('--listen-fd', type=int, help=argparse.SUPPRESS)
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
    args = parser.parse_args(argv)
    config = Config.load(args.config)
    if args.command == 'serve':
        from .server import serve
        return serve(config, args.config, args.listen_fd)
    if args.command in commands:
        from .store.db import Store
        store = Store(config.database_url,
                      native_tables=config.native_tables)
        try:
            return commands[args.command].run(args, config, store)
        finally:
            store.dispose()
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


def _safe_url(url):
    from sqlalchemy.engine import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:   # not even a URL: say so without echoing secrets
        return '(unparsable URL)'


if __name__ == '__main__':
    sys.exit(main())
