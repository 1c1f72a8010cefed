"""Throughput, latency and memory of the real server on loopback.

Starts `ngnpro serve` (SQLite by default, or --mysql-url), provisions one SIP
domain with --accounts accounts, then for each scenario runs --clients
concurrent HTTP/1.0 clients (a new connection per call, as the legacy PEAR
client does) for --seconds and prints requests/s, latency percentiles, the
fault count and the server's peak RSS. Bounded in time and count; loopback
only.

    python bench/run.py [--seconds 10] [--clients 16] [--mariadb | --mysql-url URL]
"""
import argparse
import http.client
import os
import random
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))

from tests.soapcall import admin, envelope  # noqa: E402
from tests.support.server import Server  # noqa: E402

DOMAIN = 'bench.example.com'


def call(port, body):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    conn.request('POST', '/ngnpro/', body, {
        'Content-Type': 'text/xml; charset=UTF-8', 'SOAPAction': '""'})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def provision(port, accounts):
    auth = admin()
    status, _ = call(port, envelope('Sip', 'addDomain', [
        ('domain', {'domain': DOMAIN})], auth))
    assert status == 200
    for i in range(accounts):
        status, data = call(port, envelope('Sip', 'addAccount', [
            ('account', {'id': {'username': 'user%05d' % i, 'domain': DOMAIN},
                         'password': 'pw%d' % i, 'firstName': 'User',
                         'groups': ['free-pstn'],
                         'properties': [{'name': 'language',
                                         'value': 'en'}]})], auth))
        assert status == 200, data


def scenarios(accounts):
    auth = admin()
    rnd = random.Random(1)
    return {
        'getAccount': lambda: envelope('Sip', 'getAccount', [(
            'sipId', {'username': 'user%05d' % rnd.randrange(accounts),
                      'domain': DOMAIN})], auth),
        'getAccounts(page 20)': lambda: envelope('Sip', 'getAccounts', [(
            'query', {'filter': {'username': 'user%', 'domain': DOMAIN},
                      'orderBy': {'attribute': 'username',
                                  'direction': 'ASC'},
                      'range': {'start': rnd.randrange(accounts - 20),
                                'count': 20}})], auth),
        # Write path: each client toggles its own group on random accounts.
        'addToGroup+removeFromGroup': None,
    }


def run(port, make_body, clients, seconds, pairs=False, accounts=1000):
    latencies, faults = [], [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    auth = admin()

    def worker(n):
        rnd = random.Random(n)
        mine, bad = [], 0
        while time.monotonic() < stop:
            if pairs:
                sid = {'username': 'user%05d' % rnd.randrange(accounts),
                       'domain': DOMAIN}
                group = 'g%d' % n
                bodies = [envelope('Sip', op, [('sipId', sid),
                                               ('group', group)], auth)
                          for op in ('addToGroup', 'removeFromGroup')]
            else:
                bodies = [make_body()]
            for body in bodies:
                t0 = time.monotonic()
                status, _ = call(port, body)
                mine.append(time.monotonic() - t0)
                bad += status != 200
        with lock:
            latencies.extend(mine)
            faults[0] += bad

    threads = [threading.Thread(target=worker, args=(i,))
               for i in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    latencies.sort()
    return {'requests': len(latencies), 'rps': len(latencies) / elapsed,
            'p50_ms': 1000 * statistics.median(latencies),
            'p99_ms': 1000 * latencies[int(len(latencies) * 0.99) - 1],
            'faults': faults[0]}


def peak_rss_kb(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seconds', type=float, default=10)
    ap.add_argument('--clients', type=int, default=16)
    ap.add_argument('--accounts', type=int, default=1000)
    ap.add_argument('--processes', type=int, default=1)
    ap.add_argument('--mysql-url', default='')
    ap.add_argument('--mariadb', action='store_true',
                    help='start a private MariaDB (tests/support/mariadb.py)')
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix='ngnpro-bench-')
    mariadb = None
    url = args.mysql_url or 'sqlite:///%s/bench.sqlite' % work
    if args.mariadb:
        from tests.support.mariadb import MariaDB
        mariadb = MariaDB().start()
        url = mariadb.create_database('bench')
    srv = Server(work, url, processes=args.processes).start()
    try:
        t0 = time.monotonic()
        provision(srv.port, args.accounts)
        print('backend: %s' % url.split(':')[0])
        print('provisioned %d accounts in %.1fs (%.0f addAccount/s, '
              'sequential)' % (args.accounts, time.monotonic() - t0,
                               args.accounts / (time.monotonic() - t0)))
        for name, make in scenarios(args.accounts).items():
            result = run(srv.port, make, args.clients, args.seconds,
                         pairs=make is None, accounts=args.accounts)
            print('%-28s %6d req  %7.1f req/s  p50 %6.1f ms  p99 %6.1f ms  '
                  'faults %d' % (name, result['requests'], result['rps'],
                                 result['p50_ms'], result['p99_ms'],
                                 result['faults']))
        print('server peak RSS: %.1f MiB (process %d)' % (
            peak_rss_kb(srv.proc.pid) / 1024, srv.proc.pid))
    finally:
        srv.stop()
        if mariadb is not None:
            mariadb.stop()


if __name__ == '__main__':
    main()
