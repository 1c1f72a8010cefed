"""The pages a person or a load balancer opens on the running server:
GET /ngnpro/ (the HTML index), /ngnpro/health (JSON, 200/503) and the API
reference, each with its access-log line. The health answer turns 503 when
the database is cut off (MariaDB behind a TCP forwarder the test cuts) and
200 again once it is back, without restarting the server."""
import json
import re
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit

import pytest

from ngnpro.pages import version
from tests.support.server import Server
from tests.support.tcpproxy import TcpProxy


def get(url, timeout=10):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.headers.get('Content-Type'), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get('Content-Type'), err.read()


def health(srv):
    status, ctype, body = get(srv.url + 'health')
    assert ctype == 'application/json', (status, body)
    return status, json.loads(body)


def wait_health(srv, want, seconds=15):
    """Health answers are shared for a second: poll until ``want``."""
    deadline = time.monotonic() + seconds
    while True:
        status, body = health(srv)
        if status == want or time.monotonic() > deadline:
            return status, body
        time.sleep(0.3)


def test_index_health_and_reference(server):
    status, ctype, body = get(server.url)
    assert status == 200 and ctype.startswith('text/html'), body
    page = body.decode()
    assert 'NGNPro provisioning server %s' % version() in page
    for port in ('SipPort', 'CustomerPort', 'DnsPort', 'NetworkPort'):
        assert '<a href="/ngnpro/wsdl/%s">' % port in page
        assert '<a href="/ngnpro/api/%s.md">' % port in page
    # The links of the index answer.
    status, ctype, wsdl = get(server.url + 'wsdl/SipPort')
    assert status == 200 and b'urn:AGProjects:NGNPro:Sip' in wsdl, wsdl[:300]
    status, ctype, md = get(server.url + 'api/SipPort.md')
    assert status == 200 and b'addAccount' in md
    status, _, readme = get(server.url + 'api/')
    assert status == 200 and b'SipPort' in readme
    assert get(server.url + 'nothing-here')[0] == 404

    status, body = health(server)
    assert status == 200, body
    assert body['status'] == 'ok' and body['version'] == version()
    assert body['database']['ok'] is True and body['database']['ms'] >= 0
    assert body['schema']['status'] == 'current', body
    assert body['reloads']['pending'] == []

    # Every GET has its access-log line, with its status.
    lines = ('GET /ngnpro/ 200', 'GET /ngnpro/health 200',
             'GET /ngnpro/wsdl/SipPort 200', 'GET /ngnpro/api/SipPort.md 200',
             'GET /ngnpro/nothing-here 404')
    log = server.log_with(*lines)
    for line in lines:
        assert line in log, (line, log[-2000:])


def test_health_names_a_schema_it_does_not_know(server, db_url):
    """A database a newer release upgraded under the running server: 503,
    the detail says what happened; set back, 200."""
    import sqlalchemy as sa
    engine = sa.create_engine(db_url)
    version_row = 'UPDATE ngnpro_schema_version SET version_num = :v'
    try:
        with engine.begin() as conn:
            current = conn.execute(sa.text(
                'SELECT version_num FROM ngnpro_schema_version')).scalar()
            conn.execute(sa.text(version_row), {'v': '0099'})
        status, body = wait_health(server, 503)
        assert status == 503 and body['status'] == 'unavailable', body
        assert body['database']['ok'] is True
        assert body['schema']['status'] == 'unknown'
        assert 'revision 0099 is unknown' in body['schema']['detail']
        with engine.begin() as conn:
            conn.execute(sa.text(version_row), {'v': current})
        status, body = wait_health(server, 200)
        assert status == 200 and body['schema']['status'] == 'current'
        assert body['schema']['detail'].startswith('revision ' + current)
    finally:
        engine.dispose()


@pytest.fixture
def proxied_server(mariadb, tmp_path):
    """The server on MariaDB through a forwarder the test can cut."""
    url = mariadb.create_database('health_%d' % id(tmp_path))
    parts = urlsplit(url)
    proxy = TcpProxy(parts.hostname, parts.port).start()
    netloc = parts.netloc.rsplit(':', 1)[0] + ':%d' % proxy.port
    srv = Server(tmp_path, urlunsplit(parts._replace(netloc=netloc))).start()
    yield srv, proxy
    if proxy.listener is None:
        proxy.start()
    srv.stop()
    proxy.stop()


def test_health_follows_the_database(proxied_server):
    srv, proxy = proxied_server
    status, body = health(srv)
    assert status == 200 and body['database']['ok'] is True, body

    proxy.stop()
    started = time.monotonic()
    status, body = wait_health(srv, 503)
    assert status == 503, body
    # A load balancer learns it within a few seconds, not a TCP timeout.
    down = time.monotonic() - started
    assert down < 8
    assert body['status'] == 'unavailable'
    assert body['database']['ok'] is False and body['database']['error']
    error = body['database']['error']
    assert body['schema']['status'] == 'unknown'

    proxy.start()
    started = time.monotonic()
    status, body = wait_health(srv, 200)
    assert status == 200 and body['database']['ok'] is True, body
    print('health: 503 after %.1f s cut (%s), 200 after %.1f s restored'
          % (down, error, time.monotonic() - started))
    # A path that takes connections and never answers: 503 within the
    # probe's bound, not a TCP timeout.
    proxy.hanging = True
    time.sleep(1.1)
    started = time.monotonic()
    status, body = health(srv)
    assert status == 503 and 'no answer within' in \
        body['database']['error'], body
    assert time.monotonic() - started < 4
    proxy.hanging = False
    status, body = wait_health(srv, 200)
    assert status == 200, body
    # And the calls work again on the same server.
    from tests.soapcall import admin, envelope
    code, _, answer = srv.post(envelope('Network', 'getStatus', [], admin()))
    assert code == 200 and b'provisioning_server' in answer, answer
    time.sleep(0.3)
    log = open(srv.log).read()
    assert 'GET /ngnpro/health 503' in log and 'GET /ngnpro/health 200' in log


def test_taken_port_is_one_line_and_start_stop_are_logged(server):
    import subprocess
    import sys
    run = subprocess.run([sys.executable, '-m', 'ngnpro.cli', '-c',
                          server.config, 'serve'], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 1, run
    lines = (run.stdout + run.stderr).strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        'ngnpro: cannot listen on 127.0.0.1:%d: ' % server.port), lines
    assert 'Address already in use' in lines[0] and \
        'Traceback' not in run.stderr
    assert 'NGNPro %s server listening on http://127.0.0.1:%d/ngnpro/' % (
        version(), server.port) in open(server.log).read()
    # Two signals, as Ctrl-C on `make run` gives (SIGINT to the group,
    # then SIGTERM from make): one clean stop.
    import signal
    server.proc.send_signal(signal.SIGINT)
    server.proc.send_signal(signal.SIGTERM)
    server.stop()
    log = open(server.log).read()
    assert re.search(r'NGNPro server stopping \((SIGINT|SIGTERM)\): 0 calls '
                     r'in flight', log), log[-500:]
    assert log.count('NGNPro server stopping') == 1
    assert 'Traceback' not in log + open(server.workdir + '/stderr.log').read()
    assert log.rstrip().endswith('NGNPro server stopped'), log[-500:]
