"""The small world the hostile cases attack: two resellers, each with a
customer, a SIP domain, accounts and aliases; reseller 1 has credits and no
PSTN rights."""
from tests.soapcall import admin, customer

PASSWORDS = {'r1': 'R1-pass!', 'c1': 'C1-pass!', 'r2': 'R2-pass!',
             'c2': 'C2-pass!'}
SIP_SECRET = 'Sip-Secret-0xC0FFEE'


class World:
    def __init__(self):
        self.ids = {}
        self.auth = {'admin': admin()}

    def login(self, who):
        return self.auth[who]


def _ok(result):
    code, answer = result
    assert code == 0, answer
    return answer


def seed(live):
    w = World()
    root = admin()

    def add_customer(name, reseller=None, **extra):
        account = {'username': name, 'password': PASSWORDS[name],
                   'firstName': name.upper()}
        if reseller:
            account['reseller'] = reseller
        account.update(extra)
        answer = _ok(live.call('Customer', 'addAccount',
                               [('account', account)], root))
        w.ids[name] = int(answer.findtext('.//return/id'))
        w.auth[name] = customer(name, PASSWORDS[name])

    add_customer('r1', resellerActive=True, properties=[
        {'name': 'sip_credit', 'value': '10', 'permission': 'admin'},
        {'name': 'pstn_access', 'value': '0', 'permission': 'admin'}])
    add_customer('c1', reseller=w.ids['r1'])
    add_customer('r2', resellerActive=True)
    add_customer('c2', reseller=w.ids['r2'])
    w.domains = {'c1': 'c1.example.com', 'c2': 'c2.example.com'}
    for who, dom in w.domains.items():
        _ok(live.call('Sip', 'addDomain', [('domain', {
            'domain': dom, 'customer': w.ids[who]})], root))
    w.accounts = {}
    for who, dom in w.domains.items():
        user = 'alice' if who == 'c1' else 'bob'
        sip_id = {'username': user, 'domain': dom}
        _ok(live.call('Sip', 'addAccount', [('account', {
            'id': sip_id, 'password': SIP_SECRET, 'firstName': user})],
            root))
        _ok(live.call('Sip', 'addAlias', [('alias', {
            'id': {'username': user + '-alias', 'domain': dom},
            'target': sip_id})], root))
        w.accounts[who] = sip_id
    _ok(live.call('Sip', 'addTrustedPeer', [('peer', {
        'ip': '192.0.2.10', 'description': 'r1 gateway',
        'reseller': w.ids['r1']})], root))
    return w
