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
    db.add_argument('action', choices=['init'],
                    help='init: create missing tables (idempotent)')
    args = parser.parse_args(argv)
    config = Config.load(args.config)
    if args.command == 'serve':
        from .server import serve
        return serve(config, args.config, args.listen_fd)
    elif args.command == 'db':
        from .store.db import Store
        store = Store(config.database_url,
                      kamailio_tables=config.kamailio_tables)
        store.init()
        print('database ready: %s' % store.engine.url.render_as_string(
            hide_password=True))


if __name__ == '__main__':
    sys.exit(main())
