"""What the server provisions takes effect in a real Kamailio 5.6 reading the
same MariaDB: digest REGISTER (sipsak) of an account created over SOAP gets
200, a wrong password 403, membership of `blocked` 403, and 403 again after
deleteAccount. The SIP domain is added over SOAP while Kamailio runs; the
server's own after-commit domain.reload makes Kamailio serve it."""
import hashlib

import pytest

from tests.soapcall import envelope, admin

@pytest.fixture
def stack(sip_stack, unique_domain):
    srv, kam = sip_stack
    return srv, kam, unique_domain


def soap(srv, operation, *args):
    status, _, body = srv.post(envelope('Sip', operation, list(args), admin()))
    assert status == 200, body
    return body


def test_register_follows_provisioning(stack):
    srv, kam, DOMAIN = stack
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
    srv, kam, DOMAIN = stack
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
