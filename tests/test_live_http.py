"""The real server over HTTP as the legacy client speaks it (spec §1.1-1.2):
HTTP/1.0 POSTs of the golden requests, status 200/500, text/xml with a
Content-Length and no chunking, limits, gzip, WSDL downloads, access log."""
import gzip
import os
import re
import socket
import time

import pytest
from lxml import etree

HERE = os.path.dirname(__file__)


def fixture(name):
    with open(os.path.join(HERE, 'wire', 'requests', name), 'rb') as f:
        return f.read()


def raw_post(server, body, extra_headers=b''):
    """An HTTP/1.0 request exactly as PEAR sends it; returns
    (status, headers, body) read until the server closes."""
    head = (b'POST /ngnpro/ HTTP/1.0\r\nHost: 127.0.0.1\r\n'
            b'User-Agent: PEAR-SOAP 0.11.0-beta\r\n'
            b'Content-Type: text/xml; charset=UTF-8\r\nSOAPAction: ""\r\n'
            b'Connection: close\r\n' + extra_headers +
            b'Content-Length: %d\r\n\r\n' % len(body))
    with socket.create_connection(('127.0.0.1', server.port), 10) as s:
        s.sendall(head + body)
        data = b''
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    if not data:
        raise ConnectionResetError('closed without an answer')
    head, _, payload = data.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(':')
        headers[k.strip().lower()] = v.strip()
    return status, headers, payload


def errorcode(payload):
    root = etree.fromstring(payload)
    return int(root.findtext('.//detail/exception/errorcode'))


@pytest.fixture
def server(db_url, tmp_path):
    """The real server, on a database holding the golden requests' customers
    (reseller 17, customer 23), so they replay unchanged."""
    from tests.helpers import seed_fixture_world
    from tests.support.server import Server
    seed_fixture_world(db_url)
    srv = Server(tmp_path, db_url).start()
    yield srv
    srv.stop()


def test_golden_requests_over_http(server):
    status, headers, payload = raw_post(
        server, fixture('Customer.addAccount.xml'))
    assert status == 200, payload
    assert headers['content-type'] == 'text/xml; charset=utf-8'
    assert int(headers['content-length']) == len(payload)
    assert 'transfer-encoding' not in headers
    root = etree.fromstring(payload)
    ret = root.find('.//{urn:AGProjects:NGNPro:Customer}addAccountResponse')
    assert len(ret) == 1 and ret[0].tag == 'return'
    assert ret[0].findtext('username') == 'acme'
    assert ret[0].find('properties').get(
        '{http://schemas.xmlsoap.org/soap/encoding/}arrayType') == \
        'ngnpro:CustomerProperty[0]'

    # Same username again: the import path's 5001, as HTTP 500 (never 4xx).
    status, headers, payload = raw_post(
        server, fixture('Customer.addAccount.xml'))
    assert status == 500 and errorcode(payload) == 5001
    assert headers['content-type'] == 'text/xml; charset=utf-8'


def test_legacy_actor_header_and_impersonation(server):
    # The legacy auth header (actor="0" mustUnderstand="0") is processed:
    # admin impersonating 17 gets as far as the account lookup.
    status, _, payload = raw_post(
        server, fixture('Sip.getAccount.header_legacy_actor.xml'))
    assert status == 500 and errorcode(payload) == 1010
    assert b'alice@example.com does not exist' in payload
    wrong = fixture('Sip.getAccount.header_legacy_actor.xml').replace(
        b'S3cr3t-Adm1n', b'guess')
    status, _, payload = raw_post(server, wrong)
    assert status == 500 and errorcode(payload) == 100


def test_stray_call_and_unknown_namespace(server):
    status, _, payload = raw_post(server,
                                  fixture('Customer.updateCustomer.stray.xml'))
    assert status == 500 and errorcode(payload) == 104
    unknown = fixture('Network.getStatus.xml').replace(
        b'urn:AGProjects:NGNPro:Network', b'urn:AGProjects:NGNPro:Fax')
    status, _, payload = raw_post(server, unknown)
    assert status == 500 and errorcode(payload) == 104
    assert b'Unknown method getStatus' in payload


def test_bad_xml_and_limits(server):
    status, _, payload = raw_post(server, b'<not-xml')
    assert status == 500 and errorcode(payload) == 105
    big = b'<x>' + b'a' * (1048576 + 10) + b'</x>'
    status, _, payload = raw_post(server, big)
    assert status == 500 and errorcode(payload) == 106


def test_gzip_body_and_inflation_limit(server):
    body = gzip.compress(fixture('Customer.getCustomers.xml'))
    status, _, payload = raw_post(server, body,
                                  b'Content-Encoding: gzip\r\n')
    assert status == 200, payload
    bomb = gzip.compress(b'<a>' + b' ' * (8 * 1048576) + b'</a>')
    assert len(bomb) < 1048576
    status, _, payload = raw_post(server, bomb, b'Content-Encoding: gzip\r\n')
    assert status == 500 and errorcode(payload) == 106


def test_wsdl_downloads_carry_the_server_location(server):
    import urllib.request
    base = server.url
    for path, needle in (('wsdl', b'name="NGNPro"'),
                         ('wsdl/SipPort', b'SipPort'),
                         ('customer?wsdl', b'CustomerPort'),
                         ('soap-encoding.xsd', b'schema')):
        with urllib.request.urlopen(base + path, timeout=5) as resp:
            data = resp.read()
            assert resp.status == 200
        assert needle in data, path
        if path != 'soap-encoding.xsd':
            assert ('location="http://127.0.0.1:%d/ngnpro/"' % server.port
                    ).encode() in data
            etree.fromstring(data)


def test_access_log_line(server):
    raw_post(server, fixture('Customer.getCustomers.xml'))
    raw_post(server, b'<bad')
    server.stop()
    log = open(server.log).read()
    assert re.search(r'127\.0\.0\.1 CustomerPort\.getCustomers ngnpro-admin:17 '
                     r'fault=- [\d.]+ms', log), log
    assert 'fault=105' in log


def test_sigterm_under_load_drains_and_exits(server):
    """Stopping with calls in flight must not deadlock (pool threads waiting
    for the reactor, the reactor for the pool)."""
    import threading
    body = fixture('Customer.getCustomers.xml')
    stop = threading.Event()
    answered = []

    def client():
        while not stop.is_set():
            try:
                answered.append(raw_post(server, body)[0])
            except OSError:
                return

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while len(answered) < 50 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(answered) >= 50
    server.stop()            # raises if the server hangs or exits non-zero
    stop.set()
    for t in threads:
        t.join(10)
    # Calls that arrive after the drain are turned away, never left hanging.
    assert answered.count(200) >= 50
    assert set(answered) <= {200, 503}


def test_tls(db_url, tmp_path):
    """With a certificate configured the server speaks https only (the
    legacy client does not verify certificates)."""
    import ssl
    import subprocess
    import urllib.request
    from tests.helpers import seed_fixture_world
    from tests.support.server import Server
    seed_fixture_world(db_url)
    cert, key = tmp_path / 'cert.pem', tmp_path / 'key.pem'
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048',
                    '-nodes', '-subj', '/CN=localhost', '-days', '1',
                    '-keyout', str(key), '-out', str(cert)], check=True,
                   capture_output=True)
    srv = Server(tmp_path, db_url, tls=(cert, key)).start()
    try:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        req = urllib.request.Request(srv.url, data=fixture(
            'Customer.getCustomers.xml'), method='POST',
            headers={'Content-Type': 'text/xml;charset=UTF-8'})
        with urllib.request.urlopen(req, context=context, timeout=10) as r:
            assert r.status == 200
            assert b'getCustomersResponse' in r.read()
        with urllib.request.urlopen(srv.url + 'wsdl', context=context,
                                    timeout=10) as r:
            assert ('location="https://127.0.0.1:%d/ngnpro/"' % srv.port
                    ).encode() in r.read()
        # Plain http on the TLS port gets no HTTP answer at all.
        with pytest.raises((OSError, IndexError)):
            raw_post(srv, b'<x/>')
    finally:
        srv.stop()


def test_worker_processes_share_the_port(db_url, tmp_path):
    """processes = 2: a supervisor and two workers on one listening socket;
    both serve, and SIGTERM stops all of them cleanly."""
    from tests.helpers import seed_fixture_world
    from tests.support.server import Server
    seed_fixture_world(db_url)
    srv = Server(tmp_path, db_url, processes=2).start()
    try:
        body = fixture('Customer.getCustomers.xml')
        pids = set()
        deadline = time.monotonic() + 20
        while len(pids) < 2 and time.monotonic() < deadline:
            assert raw_post(srv, body)[0] == 200
            log = open(srv.log).read()
            pids = set(re.findall(r'\[(\d+)\] 127\.0\.0\.1 CustomerPort', log))
        assert len(pids) == 2, log
        workers = [int(p) for p in pids]
    finally:
        srv.stop()      # raises unless the supervisor exits 0
    for pid in workers:
        assert not os.path.exists('/proc/%d' % pid), 'worker %d left' % pid


def test_drained_worker_turns_calls_away_without_the_pool():
    """After the drain, a call on a connection accepted earlier gets 503 on
    the reactor thread; queuing it for the pool being joined would hang."""
    from twisted.web.test.requesthelper import DummyRequest
    from ngnpro.server import _Draining

    class Pool:
        def __init__(self):
            self.queued = []

        def callInThread(self, f):
            self.queued.append(f)

    pool = Pool()
    draining = _Draining(pool)
    resource = draining.resource(reactor=None, app=lambda e, s: [])
    draining.callInThread(lambda: None)
    assert draining.queued == 1
    pool.queued.pop()()
    assert draining.queued == 0
    draining.closed = True
    request = DummyRequest([b''])
    body = resource.render(request)
    assert request.responseCode == 503
    assert b'stopping' in body
    assert pool.queued == []


def test_client_dropping_queued_requests_is_quiet(server):
    """Clients that hang up (RST) while their calls wait for, or run on, a
    pool thread: the answers are dropped without a traceback in any log,
    and the server keeps answering."""
    import struct
    body = fixture('Customer.getCustomers.xml')
    head = (b'POST /ngnpro/ HTTP/1.1\r\nHost: 127.0.0.1\r\n'
            b'Content-Type: text/xml; charset=UTF-8\r\nSOAPAction: ""\r\n'
            b'Content-Length: %d\r\n\r\n' % len(body))
    linger = struct.pack('ii', 1, 0)        # close() sends RST at once
    for round_ in range(3):
        socks = []
        for i in range(40):
            s = socket.create_connection(('127.0.0.1', server.port), 10)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            s.sendall(head + body if i % 8 else
                      b'GET /ngnpro/wsdl HTTP/1.1\r\nHost: x\r\n\r\n')
            socks.append(s)
        time.sleep(0.002 * round_)
        for s in socks:
            s.close()
    time.sleep(1)
    status, _, payload = raw_post(server, body)
    assert status == 200 and b'getCustomersResponse' in payload
    server.stop()
    logs = server.tail() + open(server.log).read()
    for bad in ('Traceback', 'Unhandled', 'closed file',
                'after its connection was lost'):
        assert bad not in logs, logs[-3000:]
    # The dropped calls were served (and logged) all the same.
    assert len(re.findall(r'CustomerPort\.getCustomers', logs)) >= 2
