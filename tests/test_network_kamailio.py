"""Network.getStatus reports the reloads this server really sent: a SIP
domain added over SOAP makes the server send domain.reload to the running
Kamailio 5.6 (the session's), and the status shows that endpoint with the
outcome."""
import json

from lxml import etree

from tests.soapcall import admin, envelope


def soap(srv, port, operation, *args):
    status, _, body = srv.post(envelope(port, operation, list(args), admin()))
    assert status == 200, body
    ret = etree.fromstring(body).find('.//return')
    return None if ret is None else ret.text


def test_status_shows_kamailio_reloads(sip_stack, unique_domain):
    srv, kam = sip_stack
    soap(srv, 'Sip', 'addDomain', ('domain', {'domain': unique_domain}))
    (node,) = json.loads(soap(srv, 'Network', 'getStatus')).values()
    outcome = node['reload kamailio:%s' % kam.rpc_socket]
    assert 'domain.reload ok at ' in outcome, outcome
    assert node['dburi'].startswith('mysql+pymysql://') and \
        ':***@' in node['dburi']
    stats = json.loads(soap(srv, 'Network', 'getStatistics'))
    soap(srv, 'Sip', 'addAccount', ('account', {
        'id': {'username': 'alice', 'domain': unique_domain},
        'password': 'pw'}))
    after = json.loads(soap(srv, 'Network', 'getStatistics'))
    totals = after['summary']['sip_proxy']['total_accounts']
    assert totals[unique_domain] == 1
    assert unique_domain not in stats['summary']['sip_proxy'][
        'total_accounts']
    soap(srv, 'Sip', 'deleteDomain', ('domain', unique_domain))
