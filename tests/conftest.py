"""Fixtures: every storage test runs on SQLite and on a real MariaDB that the
test session starts itself (tests/support/mariadb.py)."""
import itertools
import os
import sys

import pytest

from tests.helpers import make_dispatcher

_counter = itertools.count()


def pytest_configure(config):
    config.addinivalue_line('markers', 'slow: runs under CI=true or '
                            'NGNPRO_TEST_SLOW=1 only (downloads systems)')
VOICEMAIL_SERVER = 'vm.example.net'


def require(available, component, package):
    """Skip loudly when a real component is missing; in CI, where
    .ci/install-deps installs everything, a missing component fails."""
    if available:
        return
    message = ('%s not installed: its tests are SKIPPED. Run .ci/install-deps '
               '(apt-get install %s).' % (component, package))
    sys.stderr.write('\n*** %s ***\n' % message)
    if os.environ.get('CI'):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope='session')
def mariadb():
    from tests.support.mariadb import MariaDB, find_binary
    require(os.environ.get('NGNPRO_TEST_MYSQL_URL') or find_binary(),
            'MariaDB server', 'mariadb-server')
    server = MariaDB()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope='session')
def sip_stack(mariadb, tmp_path_factory):
    """One Kamailio (the example configuration) and one ngnpro server on one
    MariaDB database, for the whole session: tests keep out of each other's
    way by using SIP domains of their own (``unique_domain``)."""
    from urllib.parse import urlsplit
    from tests.support.kamailio import Kamailio, find_binary, find_sipsak
    from tests.support.server import Server
    require(find_binary(), 'Kamailio 5.6', 'kamailio kamailio-mysql-modules')
    require(find_sipsak(), 'sipsak', 'sipsak')
    url = mariadb.create_database('sip_stack_%d' % os.getpid())
    db = urlsplit(url)
    workdir = tmp_path_factory.mktemp('sip_stack')
    # Kamailio needs its tables and version rows at start-up: db init.
    Server(workdir, url).init_db()
    kam = Kamailio(db_host=db.hostname, db_port=db.port, db_user=db.username,
                   db_password=db.password, db_name=db.path.lstrip('/'))
    kam.start()
    # A voicemail server, so that <voice-mailbox> diversions resolve.
    srv = Server(workdir, url, rpc_socket=kam.rpc_socket,
                 server_extra='[voicemail]\nserver = %s' % VOICEMAIL_SERVER
                 ).start()
    srv.db_url = url
    yield srv, kam
    srv.stop()
    kam.stop()


@pytest.fixture(scope='session')
def pstn_gateways():
    """PSTN gateways for the whole session: SIPp UASes on loopback ports
    (tests/support/sipp.py), two answering 486 and one 503 (a failing
    gateway, to see failover). Tests tell their calls apart by their own
    number prefixes."""
    from tests.support.sipp import SippGateway, find_sipp
    require(find_sipp(), 'SIPp', 'sip-tester')
    gateways = {}
    try:
        for name, reply in (('a', '486 Busy Here'), ('b', '486 Busy Here'),
                            ('failing', '503 Service Unavailable')):
            gateways[name] = SippGateway(reply).start()
        yield gateways
    finally:
        for gateway in gateways.values():
            gateway.stop()


@pytest.fixture(scope='session')
def dns_stack(mariadb, tmp_path_factory):
    """One PowerDNS 4.7 (gmysql) and one ngnpro server on one MariaDB
    database, for the whole session: the server purges PowerDNS's caches
    through pdns_control and the daemon's own control socket. Tests use
    zones of their own (``unique_zone``)."""
    from urllib.parse import urlsplit
    from tests.support import powerdns
    from tests.support.server import Server
    require(powerdns.find_binary() and powerdns.find_control() and
            powerdns.backend_available(), 'PowerDNS 4.7 (gmysql)',
            'pdns-server pdns-backend-mysql')
    name = 'dns_stack_%d' % os.getpid()
    url = mariadb.create_database(name)
    db = urlsplit(url)
    workdir = tmp_path_factory.mktemp('dns_stack')
    # ngnpro's tables first (domains and records among them), then the rest
    # of PowerDNS's own schema, as an operator sets a database up.
    Server(workdir, url).init_db()
    conn = mariadb.connect(name)
    with conn.cursor() as cur:
        for statement in powerdns.schema_statements():
            cur.execute(statement)
    conn.close()
    pdns = powerdns.PowerDNS(db_host=db.hostname, db_port=db.port,
                             db_user=db.username, db_password=db.password,
                             db_name=name).start()
    srv = Server(workdir, url, server_extra=(
        '[powerdns]\npdns_control = %s\nsocket_dir = %s\n'
        % (powerdns.find_control(), pdns.socket_dir))).start(init=False)
    yield srv, pdns
    srv.stop()
    pdns.stop()


@pytest.fixture(scope='session')
def dns_api_server(dns_stack, tmp_path_factory):
    """A second ngnpro server on the same database that tells PowerDNS
    through its HTTP API instead."""
    from tests.support.powerdns import API_KEY
    from tests.support.server import Server
    srv, pdns = dns_stack
    api = Server(tmp_path_factory.mktemp('dns_api'), srv.db_url,
                 server_extra='[powerdns]\napi_url = %s\napi_key = %s\n'
                 % (pdns.api_url, API_KEY)).start(init=False)
    yield api
    api.stop()


@pytest.fixture
def unique_zone():
    """A DNS zone name no other test of the session uses."""
    return 'z%d-%s.example' % (next(_counter), os.getpid())


@pytest.fixture
def unique_domain(request):
    """A SIP domain name no other test of the session uses."""
    return 't%d-%s.example.com' % (next(_counter), os.getpid())


@pytest.fixture(params=['sqlite', 'mariadb'])
def db_url(request, tmp_path):
    """A fresh, empty database URL on each backend."""
    if request.param == 'sqlite':
        return 'sqlite:///%s' % (tmp_path / 'ngnpro.sqlite')
    server = request.getfixturevalue('mariadb')
    return server.create_database('t%d_%d' % (os.getpid(), next(_counter)))


@pytest.fixture
def dispatcher(db_url):
    d = make_dispatcher(db_url)
    yield d
    d.store.dispose()


@pytest.fixture
def server(db_url, tmp_path):
    """The real server on loopback, on a fresh database of each backend."""
    from tests.support.server import Server
    srv = Server(tmp_path, db_url).start()
    yield srv
    srv.stop()
