"""Hostile probes against a freshly started server: what each class of
attack gets back, and how long the server takes to answer it.

    .venv/bin/python bench/probes.py [--mariadb]

Prints one Markdown table row per probe class. The tests in tests/hostile/
assert the outcomes; this measures them.
"""
import argparse
import gzip
import os
import select
import socket
import statistics
import sys
import tempfile
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.soapcall import admin, customer, envelope  # noqa: E402
from tests.support.server import Server  # noqa: E402


def post(url, body, headers=None):
    h = {'Content-Type': 'text/xml; charset=UTF-8', 'SOAPAction': '""'}
    h.update(headers or {})
    started = time.monotonic()
    r = requests.post(url, data=body, headers=h, timeout=60)
    took = time.monotonic() - started
    code = ''
    if b'<errorcode' in r.content:
        code = r.content.split(b'<errorcode', 1)[1].split(b'>', 1)[1] \
            .split(b'<', 1)[0].decode()
    return r.status_code, code, took


def timed(fn, n):
    out, times = None, []
    for _ in range(n):
        out, took = fn()
        times.append(took)
    return out, statistics.median(times) * 1000, max(times) * 1000


def raw(port, head, body_iter, read_timeout=30):
    s = socket.create_connection(('127.0.0.1', port), 10)
    started = time.monotonic()
    s.sendall(head)
    sent = 0
    try:
        for chunk in body_iter:
            s.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    s.settimeout(read_timeout)
    data = b''
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            data += c
    except OSError:
        pass
    s.close()
    return data, sent, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--mariadb', action='store_true')
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix='ngnpro-probes-')
    db = None
    if args.mariadb:
        from tests.support.mariadb import MariaDB
        db = MariaDB().start()
        url = db.create_database('probes')
    else:
        url = 'sqlite:///%s/p.sqlite' % work
    srv = Server(work, url, server_extra='request_timeout = 10\n').start()
    root = admin()
    rows = []

    def row(name, outcome, p50, worst):
        rows.append('| %s | %s | %.1f | %.1f |' % (name, outcome, p50, worst))

    try:
        base = srv.url
        for name in ('other', 'victim'):
            requests.post(base, data=envelope('Customer', 'addAccount', [(
                'account', {'username': name, 'password': 'V1ctim-pw',
                            'resellerActive': True})], root))
        probes = [
            ('wrong type (id = "abc")', envelope(
                'Customer', 'getAccount', [('id', 'abc')], root)),
            ('id 10^30', envelope('Customer', 'getAccount',
                                  [('id', 10 ** 30)], root)),
            ('balance 1e400', envelope('Customer', 'updateAccount', [(
                'account', {'id': 1, 'balance': '1e400'})], root)),
            ('100,000-char string', envelope('Sip', 'addDomain', [(
                'domain', {'domain': 'x' * 100000})], root)),
            ('100,000-char LIKE pattern', envelope('Sip', 'getAccounts', [(
                'query', {'filter': {'username': '%_' * 50000}})], root)),
            ('SQL in a filter', envelope('Sip', 'getAccounts', [(
                'query', {'filter': {'username': "x' OR '1'='1"}})], root)),
            ('another tenant\'s record (customer 1)', envelope(
                'Customer', 'getAccount', [('id', 1)],
                customer('victim', 'V1ctim-pw'))),
            ('XXE (external entity)', b'<?xml version="1.0"?><!DOCTYPE x ['
             b'<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'),
            ('entity expansion', b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY'
             b' a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
             b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><x>&c;</x>'),
            ('deep nesting (100,000 levels)', b'<a>' * 100000
             + b'</a>' * 100000),
        ]
        for name, body in probes:
            (status, code), p50, worst = timed(
                lambda: (lambda r: ((r[0], r[1]), r[2]))(post(base, body)), 5)
            row(name, 'HTTP %d, fault %s' % (status, code or '-'), p50,
                worst)

        inner = b'<a/>' * 950000
        bomb = gzip.compress(envelope('Sip', 'getDomains', [(
            'query', {'filter': {}})], root).replace(
                b'<filter></filter>', b'<filter>' + inner + b'</filter>'), 9)
        (status, code), p50, worst = timed(lambda: (lambda r: (
            (r[0], r[1]), r[2]))(post(base, bomb, {'Content-Encoding':
                                                   'gzip'})), 5)
        row('gzip element bomb (%d B, 950,000 elements)' % len(bomb),
            'HTTP %d, fault %s' % (status, code), p50, worst)

        head = (b'POST /ngnpro/ HTTP/1.1\r\nHost: x\r\n'
                b'Content-Length: 4294967296\r\n\r\n')
        data, sent, took = raw(srv.port, head, (b'x' * 65536
                                                for _ in range(4096)))
        row('Content-Length 4 GiB, then a stream', '%s after %d KiB read' % (
            data.split(b'\r\n', 1)[0].decode() or 'closed', sent // 1024),
            took * 1000, took * 1000)
        head = (b'POST /ngnpro/ HTTP/1.1\r\nHost: x\r\n'
                b'Transfer-Encoding: chunked\r\n\r\n')
        data, sent, took = raw(srv.port, head, (
            b'10000\r\n' + b'x' * 65536 + b'\r\n' for _ in range(4096)))
        row('chunked stream without length', '%s after %d KiB read' % (
            data.split(b'\r\n', 1)[0].decode() or 'closed', sent // 1024),
            took * 1000, took * 1000)

        def trickle():
            for _ in range(60):
                time.sleep(0.5)
                yield b'X'
        data, sent, took = raw(srv.port, b'POST /ngnpro/ HTTP/1.1\r\n',
                               trickle())
        row('slow headers (1 byte / 0.5 s)', 'closed after %d bytes' % sent,
            took * 1000, took * 1000)

        started = time.monotonic()
        socks = [socket.create_connection(('127.0.0.1', srv.port), 5)
                 for _ in range(200)]
        # The refused ones are closed by the server: readable (EOF).
        time.sleep(0.5)
        readable, _, _ = select.select(socks, [], [], 0)
        refused = len(readable)
        took = time.monotonic() - started
        for s in socks:
            s.close()
        row('200 connections from one address', '%d refused at once '
            '(limit 128)' % refused, took * 1000 / 200, took * 1000)

        wrong = envelope('Customer', 'getAccount', [('id', 1)],
                         customer('victim', 'guess'))
        checked, times = 0, []
        session = requests.Session()
        for _ in range(500):
            started = time.monotonic()
            r = session.post(base, data=wrong, headers={
                'Content-Type': 'text/xml'})
            times.append(time.monotonic() - started)
            checked += b'Invalid customer credentials' in r.content
        row('500 password guesses, one user, one address',
            '%d passwords checked, the rest refused unchecked' % checked,
            statistics.median(times) * 1000, max(times) * 1000)
    finally:
        srv.stop()
        if db is not None:
            db.stop()
    print('| probe | outcome | p50 ms | max ms |')
    print('|---|---|---|---|')
    print('\n'.join(rows))


if __name__ == '__main__':
    main()
