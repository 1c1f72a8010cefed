"""CDRTool's provisioning statistics fill under a live run: N calls of
several operations (some answering faults, one an operation the server
does not have) against the real server, and the rows of ngnpro_logs and
ngnpro_logs_functions add up to what the access log shows, per Port:method
and client address, on both backends. The counts left when the server
stops are written too."""
import collections
import datetime
import re
import time

import pytest
from sqlalchemy import MetaData, create_engine, func, inspect, select

from ngnpro import statistics
from tests.soapcall import admin, envelope
from tests.support.server import Server

# "<time> [pid] 127.0.0.1 SipPort.addDomain ngnpro-admin fault=- 3.1ms"
LINE = re.compile(r'\[\d+\] (\S+) (\w+|-)\.(\w+|-) \S+ fault=\S+ '
                  r'([\d.]+)ms$')


@pytest.fixture
def stats_server(db_url, tmp_path):
    srv = Server(tmp_path, db_url,
                 extra='[statistics]\ninterval = 1\n').start()
    srv.db_url = db_url
    yield srv
    if srv.proc is not None:
        srv.stop()


def calls_in_log(path):
    per_function, seconds, total = collections.Counter(), 0.0, 0
    with open(path) as f:
        for line in f:
            m = LINE.search(line.rstrip('\n'))
            if m:
                ip, port, op, ms = m.groups()
                total += 1
                seconds += float(ms) / 1000
                per_function['%s:%s' % (port, op), ip] += 1
    return total, seconds, per_function


def tables(url):
    engine = create_engine(url)
    logs, calls, history, _ = statistics.define(MetaData())
    if not inspect(engine).has_table('ngnpro_logs'):
        engine.dispose()        # created by the first flush
        return 0, 0.0, collections.Counter()
    try:
        with engine.connect() as conn:
            total, seconds = conn.execute(select(
                func.coalesce(func.sum(logs.c.total), 0),
                func.coalesce(func.sum(logs.c.total_time), 0))).one()
            rows = collections.Counter()
            for table in (calls, history):
                for r in conn.execute(select(table)).mappings():
                    assert r['date'].time() == datetime.time()   # per day
                    rows[r['function'], r['ip']] += r['total']
    finally:
        engine.dispose()
    return int(total), float(seconds), rows


def post(srv, port, operation, *args):
    status, _, body = srv.post(envelope(port, operation, list(args),
                                        admin()))
    return status, body


def run_calls(srv, n, prefix):
    for i in range(n):
        assert post(srv, 'Sip', 'addDomain', ('domain', {
            'domain': '%s%d.example.com' % (prefix, i)}))[0] == 200
    for i in range(2 * n):
        assert post(srv, 'Network', 'getStatus')[0] == 200
    for i in range(n):
        # The domain exists: a fault, counted like any call.
        assert post(srv, 'Sip', 'addDomain', ('domain', {
            'domain': '%s0.example.com' % prefix}))[0] == 500
    # An operation this server does not have: in the minute totals only.
    assert post(srv, 'Sip', 'noSuchOperation')[0] == 500


def until_equal(srv, want, seconds=15):
    """(log counts, table counts) once both show ``want`` calls: the access
    log and the statistics are each written about every second."""
    deadline = time.monotonic() + seconds
    while True:
        expected = calls_in_log(srv.log)
        got = tables(srv.db_url)
        if got[0] == expected[0] == want or time.monotonic() > deadline:
            return expected, got
        time.sleep(0.5)


def test_statistics_match_the_access_log(stats_server):
    srv, n = stats_server, 7
    run_calls(srv, n, 'st')
    (total, seconds, per_function), (rows_total, rows_seconds, rows) = \
        until_equal(srv, 4 * n + 1)
    assert total == 4 * n + 1 and rows_total == total
    assert rows_seconds == pytest.approx(seconds, abs=0.001 * total + 0.01)
    assert rows == {k: v for k, v in per_function.items()
                    if not k[0].endswith(':noSuchOperation')}
    assert rows['SipPort:addDomain', '127.0.0.1'] == 2 * n
    assert rows['NetworkPort:getStatus', '127.0.0.1'] == 2 * n

    # More calls, then a stop before the next flush: written on the way out.
    run_calls(srv, 3, 'later')
    srv.stop()
    total, seconds, per_function = calls_in_log(srv.log)
    rows_total, rows_seconds, rows = tables(srv.db_url)
    assert total == 4 * n + 1 + 4 * 3 + 1 == rows_total
    assert rows['SipPort:addDomain', '127.0.0.1'] == 2 * n + 2 * 3
    assert rows == {k: v for k, v in per_function.items()
                    if not k[0].endswith(':noSuchOperation')}


def test_statistics_database_away_never_fails_a_call(mariadb, tmp_path):
    """The statistics database (another one, as CDRTool's) behind a path
    the test cuts: calls go on, the counts are kept and written once it
    is back."""
    import os
    from urllib.parse import urlsplit, urlunsplit
    from tests.support.tcpproxy import TcpProxy
    url = mariadb.create_database('stats_%d' % os.getpid())
    parts = urlsplit(url)
    proxy = TcpProxy(parts.hostname, parts.port).start()
    proxied = urlunsplit(parts._replace(
        netloc=parts.netloc.rsplit(':', 1)[0] + ':%d' % proxy.port))
    srv = Server(tmp_path, 'sqlite:///%s' % (tmp_path / 'ngnpro.sqlite'),
                 extra='[statistics]\ninterval = 1\nurl = %s\n' % proxied)
    srv.start()
    srv.db_url = url          # where the test reads the rows
    try:
        run_calls(srv, 3, 'a')
        expected, got = until_equal(srv, 13)
        assert got[0] == expected[0] == 13
        proxy.stop()
        started = time.monotonic()
        run_calls(srv, 3, 'b')            # every call answered as usual
        assert time.monotonic() - started < 10
        time.sleep(2.5)                   # flushes fail meanwhile
        assert tables(url)[0] == 13
        assert 'statistics: cannot write to' in open(srv.log).read()
        proxy.start()
        (total, _, per_function), (rows_total, _, rows) = \
            until_equal(srv, 26)
        assert total == rows_total == 26
        assert rows == {k: v for k, v in per_function.items()
                        if not k[0].endswith(':noSuchOperation')}
        assert 'statistics: written to' in open(srv.log).read()
    finally:
        if proxy.listener is None:
            proxy.start()
        srv.stop()
        proxy.stop()


def test_statistics_of_several_workers_add_up(mariadb, tmp_path):
    """Two worker processes add to the same rows (UPDATE, else INSERT; a
    lost insert race updates): concurrent calls, one total."""
    import os
    from concurrent.futures import ThreadPoolExecutor
    url = mariadb.create_database('stats2_%d' % os.getpid())
    srv = Server(tmp_path, url, processes=2,
                 extra='[statistics]\ninterval = 1\n').start()
    srv.db_url = url
    try:
        deadline = time.monotonic() + 30
        while open(srv.log).read().count('server listening') < 2 and \
                time.monotonic() < deadline:
            time.sleep(0.2)
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(
                lambda i: post(srv, 'Network', 'getStatus')[0], range(200)))
        assert codes == [200] * 200
        (total, _, per_function), (rows_total, _, rows) = \
            until_equal(srv, 200)
        pids = set(re.findall(r'\[(\d+)\] 127\.0\.0\.1 NetworkPort',
                              open(srv.log).read()))
        assert len(pids) == 2, pids        # both workers served calls
        assert total == rows_total == 200
        assert rows == per_function == {
            ('NetworkPort:getStatus', '127.0.0.1'): 200}
    finally:
        srv.stop()
