"""PSTN routing provisioned over SOAP takes effect in a real Kamailio 5.6
(etc/kamailio/kamailio.cfg with features/pstn.cfg, lcr module) on the same
MariaDB: an INVITE from an account of a reseller's domain reaches the
gateway (a SIPp UAS) of the carrier its route names, with the number as the
gateway's rule rewrites it; after updateRoutes moves the prefix to another
carrier the next INVITE goes to the other gateway; a failing gateway hands
the call to the next one; `ngnpro route` says the same as Kamailio did."""
import subprocess
import sys
import uuid

import pytest
from lxml import etree

from tests.soapcall import admin, decode, envelope
from tests.support.sipp import header, invite, status


@pytest.fixture
def stack(sip_stack, pstn_gateways, unique_domain):
    srv, kam = sip_stack
    return srv, kam, pstn_gateways, unique_domain


def soap(srv, port, operation, *args, **types):
    names = [a[0] for a in args]
    status_, _, body = srv.post(envelope(
        port, operation, list(args), admin(),
        {n: types.get(n) for n in names}))
    assert status_ == 200, body
    wrapper = etree.fromstring(body)[0][0]
    return decode(wrapper[0]) if len(wrapper) else None


def test_calls_follow_the_routes(stack):
    srv, kam, gws, domain = stack
    sip = lambda op, *a, **t: soap(srv, 'Sip', op, *a, **t)  # noqa: E731
    reseller = soap(srv, 'Customer', 'addAccount', ('account', {
        'username': 'r-' + uuid.uuid4().hex[:8], 'password': 'pw',
        'resellerActive': True}), account='CustomerAccount')['id']
    sip('addDomain', ('domain', {'domain': domain, 'reseller': reseller}))
    sip('addAccount', ('account', {
        'id': {'username': 'alice', 'domain': domain}, 'password': 'S3cret',
        'groups': ['free-pstn']}))
    sip('addAccount', ('account', {
        'id': {'username': 'bob', 'domain': domain}, 'password': 'S3cret'}))

    def carrier(name, gw):
        c = sip('addCarrier', ('carrier', {'name': name,
                                           'reseller': reseller}))
        g = sip('addGateway', ('gateway', {
            'name': name.lower(), 'carrier_id': c['id'], 'ip': '127.0.0.1',
            'port': gw.port, 'transport': 'udp'}))
        return c, g
    (ca, ga), (cb, gb), (cf, _) = (carrier('A', gws['a']),
                                   carrier('B', gws['b']),
                                   carrier('Failing', gws['failing']))
    assert ca['reseller'] == reseller and ga['carrier'] == 'A'
    sip('addGatewayRule', ('rule', {
        'gateway_id': ga['id'], 'prefix': '0031', 'strip': 2, 'prepend': '',
        'minLength': 11, 'maxLength': 13}))
    sip('addGatewayRule', ('rule', {
        'gateway_id': gb['id'], 'prefix': '00316', 'strip': 4,
        'prepend': '0'}))
    (route, *_) = sip('addRoutes', ('routes', [
        {'prefix': '0031', 'carrier_id': ca['id'], 'priority': 10},
        {'prefix': '0032', 'carrier_id': cf['id'], 'priority': 1},
        {'prefix': '0032', 'carrier_id': ca['id'], 'priority': 2}]))

    def call(number, user='alice'):
        reply = invite(kam.port, 'sip:%s@%s' % (number, domain), user,
                       domain, 'S3cret')
        assert reply is not None, kam.log_tail()
        return (status(reply), header(reply, 'X-Gateway-Port'),
                header(reply, 'X-Request-URI'))

    # +31 is 0031; gateway A's rule (11-13 digits) strips the 00.
    assert call('+31612345678') == (
        486, str(gws['a'].port),
        'sip:31612345678@127.0.0.1:%d;transport=udp' % gws['a'].port)
    # Outside the rule's length window: the number as dialled.
    assert call('00316123456789') == (
        486, str(gws['a'].port),
        'sip:00316123456789@127.0.0.1:%d;transport=udp' % gws['a'].port)

    route.update(carrier_id=cb['id'])
    assert sip('updateRoutes', ('routes', [route])) is None
    assert call('0031612345678') == (
        486, str(gws['b'].port),
        'sip:0612345678@127.0.0.1:%d;transport=udp' % gws['b'].port)

    # The failing carrier (503) is tried first, then A.
    assert call('0032123456') == (
        486, str(gws['a'].port),
        'sip:0032123456@127.0.0.1:%d;transport=udp' % gws['a'].port)
    assert call('0044123456')[0] == 404          # no route
    assert call('0031612345678', user='bob')[0] == 403   # no free-pstn

    printed = subprocess.run(
        [sys.executable, '-m', 'ngnpro.cli', '-c', srv.config, 'route',
         '0031612345678', '--originator', 'sip:alice@' + domain],
        capture_output=True, text=True, timeout=60)
    assert printed.returncode == 0, printed.stderr
    assert 'sip:0612345678@127.0.0.1:%d;transport=udp' % gws['b'].port \
        in printed.stdout, printed.stdout

    sip('deleteRoutes', ('routes', [{'id': route['id']}]))
    assert call('0031612345678')[0] == 404
    log = kam.log_tail(400)
    assert 'lcr' not in ''.join(l for l in log.splitlines(True)
                                if 'ERROR' in l), log
    assert 'PSTN ' in log and 'gateway' in log
