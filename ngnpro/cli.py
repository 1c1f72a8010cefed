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
    serve.add_argument('--voicemail-fd', type=int, help=argparse.SUPPRESS)
    db = sub.add_parser('db', help='database administration')
    db.add_argument('action', choices=['init'],
                    help='init: create missing tables (idempotent)')
    args = parser.parse_args(argv)
    config = Config.load(args.config)
    if args.command == 'serve':
        from .server import serve
        return serve(config, args.config, args.listen_fd,
                     args.voicemail_fd)
    elif args.command == 'db':
        from sqlalchemy.exc import SQLAlchemyError
        from .store.db import Store
        try:
            store = Store(config.database_url,
                          native_tables=config.native_tables)
            store.init()
        except SQLAlchemyError as exc:
            raise SystemExit('database %s: %s' % (
                _safe_url(config.database_url), str(exc).splitlines()[0]))
        print('database ready: %s' % store.engine.url.render_as_string(
            hide_password=True))


def _safe_url(url):
    from sqlalchemy.engine import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:   # not even a URL: say so without echoing secrets
        return '(unparsable URL)'


if __name__ == '__main__':
    sys.exit(main())
