"""What the server provisions takes effect in a real Kamailio 5.6 reading the
same MariaDB: digest REGISTER (sipsak) of an account created over SOAP gets
200, a wrong password 403, membership of `blocked` 403, and 403 again after
deleteAccount. The SIP domain is added over SOAP while Kamailio runs; the
server's own after-commit domain.reload makes Kamailio serve it."""
import hashlib
import os
from urllib.parse import urlsplit

import pytest

from tests.conftest import require
from tests.soapcall import envelope, admin
from tests.support.kamailio import Kamailio, find_binary, find_sipsak
from tests.support.server import Server

DOMAIN = 'sip.example.com'


@pytest.fixture
def stack(mariadb, tmp_path):
    require(find_binary(), 'Kamailio 5.6', 'kamailio kamailio-mysql-modules')
    require(find_sipsak(), 'sipsak', 'sipsak')
    url = mariadb.create_database('kamailio_e2e_%d' % os.getpid())
    db = urlsplit(url)
    # Kamailio needs its tables at start-up: the server's `db init` makes
    # them, with the version rows Kamailio checks.
    Server(tmp_path, url).init_db()
    kam = Kamailio(db_host=db.hostname, db_port=db.port, db_user=db.username,
                   db_password=db.password, db_name=db.path.lstrip('/'))
    kam.start()
    srv = Server(tmp_path, url, rpc_socket=kam.rpc_socket).start()
    yield srv, kam
    srv.stop()
    kam.stop()


def soap(srv, operation, *args):
    status, _, body = srv.post(envelope('Sip', operation, list(args), admin()))
    assert status == 200, body
    return body


def test_register_follows_provisioning(stack):
    srv, kam = stack
    alice = {'username': 'alice', 'domain': DOMAIN}
    soap(srv, 'addDomain', ('domain', {'domain': DOMAIN}))
    soap(srv, 'addAccount', ('account', {'id': alice, 'password': 'S3cret!'}))
    assert kam.register('alice', DOMAIN, 'S3cret!') == 200, kam.last_output
    assert kam.register('alice', DOMAIN, 'wrong') == 403, kam.last_output

    soap(srv, 'addToGroup', ('sipId', alice), ('group', 'blocked'))
    assert kam.register('alice', DOMAIN, 'S3cret!') == 403, kam.last_output
    soap(srv, 'removeFromGroup', ('sipId', alice), ('group', 'blocked'))
    assert kam.register('alice', DOMAIN, 'S3cret!') == 200, kam.last_output

    # A password change over SOAP (md5:md5 form) takes effect at once.
    ha1 = hashlib.md5(('alice:%s:N3w' % DOMAIN).encode()).hexdigest()
    ha1b = hashlib.md5(('alice@%s:%s:N3w' % (DOMAIN, DOMAIN)).encode()
                       ).hexdigest()
    soap(srv, 'updateAccount', ('account', {'id': alice,
                                            'password': ha1 + ':' + ha1b}))
    assert kam.register('alice', DOMAIN, 'S3cret!') == 403, kam.last_output
    assert kam.register('alice', DOMAIN, 'N3w') == 200, kam.last_output

    soap(srv, 'deleteAccount', ('sipId', alice))
    assert kam.register('alice', DOMAIN, 'N3w') == 403, kam.last_output


def test_alias_resolves_in_kamailio(stack):
    srv, kam = stack
    soap(srv, 'addDomain', ('domain', {'domain': DOMAIN}))
    soap(srv, 'addAccount', ('account', {
        'id': {'username': 'bob', 'domain': DOMAIN}, 'password': 'pw'}))
    soap(srv, 'addAlias', ('alias', {
        'id': {'username': 'robert', 'domain': DOMAIN},
        'target': {'username': 'bob', 'domain': DOMAIN}}))
    assert kam.register('bob', DOMAIN, 'pw') == 200, kam.last_output
    status, aor, contact = kam.lookup('robert', DOMAIN)
    assert status == 302 and aor == 'bob@%s' % DOMAIN and contact
    soap(srv, 'deleteDomain', ('domain', DOMAIN))
    assert kam.register('bob', DOMAIN, 'pw') == 404, kam.last_output
