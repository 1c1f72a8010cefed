"""Time `ngnpro import` of N SIP accounts from CSV on MariaDB (a private
server started here, or --mysql-url) or SQLite (--sqlite).

Creates an empty database (`ngnpro db init`), imports one SIP domain, then
the accounts CSV (clear text passwords, a name, a quota, every third
account in free-pstn), through the same command an operator runs, and
prints the records per second.

    python bench/import.py [--accounts 100000] [--mysql-url URL | --sqlite]

Measured on a loaded 2-core machine (docs/operations.md): 5,000 accounts
at 521/s on SQLite and 174/s on a private MariaDB (before the write-path
work: 244/s and 101/s).
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..'))

from tests.support.mariadb import MariaDB  # noqa: E402

DOMAIN = 'bench.example.com'


def ngnpro(config, *args):
    return subprocess.run([sys.executable, '-m', 'ngnpro.cli', '-c', config]
                          + list(args), check=True, capture_output=True,
                          text=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--accounts', type=int, default=100000)
    p.add_argument('--mysql-url', help='an existing (empty) database')
    p.add_argument('--sqlite', action='store_true')
    p.add_argument('--profile', help='write a cProfile of the import here')
    p.add_argument('--py-spy', dest='py_spy',
                   help='sample the import with py-spy; write the summary '
                   '(bench.profile.summarise) here')
    args = p.parse_args()
    tmp = tempfile.mkdtemp(prefix='ngnpro-bench-')
    server = None
    if args.sqlite:
        url = 'sqlite:///%s/bench.sqlite' % tmp
    elif args.mysql_url:
        url = args.mysql_url
    else:
        server = MariaDB().start()
        url = server.create_database('bench_import')
    try:
        config = os.path.join(tmp, 'config.ini')
        with open(config, 'w') as f:
            f.write('[admin]\npassword = bench\n[database]\nurl = %s\n' % url)
        ngnpro(config, 'db', 'init')
        domains = os.path.join(tmp, 'domains.json')
        with open(domains, 'w') as f:
            json.dump({'domains': [{'domain': DOMAIN}]}, f)
        ngnpro(config, 'import', domains)
        path = os.path.join(tmp, 'accounts.csv')
        with open(path, 'w', newline='') as f:
            w = csv.writer(f)
            w.writerow(['id.username', 'id.domain', 'password', 'firstName',
                        'quota', 'groups'])
            for i in range(args.accounts):
                w.writerow(['user%06d' % i, DOMAIN, 'Secret-%06d' % i,
                            'User %d' % i, i % 50,
                            '["free-pstn"]' if i % 3 == 0 else ''])
        command = [sys.executable, '-m', 'ngnpro.cli', '-c', config,
                   'import', path, '--progress-interval', '10']
        if args.profile:
            command[1:1] = ['-m', 'cProfile', '-o', args.profile]
        if args.py_spy:
            raw = os.path.join(tmp, 'import.raw')
            command[:0] = [os.path.join(os.path.dirname(sys.executable),
                                        'py-spy'), 'record', '-f', 'raw',
                           '-r', '200', '-o', raw, '--']
        start = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True)
        seconds = time.monotonic() - start
        sys.stderr.write(done.stderr)
        if done.returncode:
            raise SystemExit(done.stdout[-2000:])
        print(done.stdout.strip().splitlines()[-1])
        if args.py_spy:
            from bench.profile import summarise
            with open(raw) as f, open(args.py_spy, 'w') as out:
                out.write(summarise(f.read()) + '\n')
        print('%d accounts imported in %.1f s (%.0f accounts/s) on %s'
              % (args.accounts, seconds, args.accounts / seconds,
                 'SQLite' if args.sqlite else 'MariaDB'))
    finally:
        if server is not None:
            server.stop()


if __name__ == '__main__':
    main()
