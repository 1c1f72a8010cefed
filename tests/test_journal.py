"""The audit journal against the database itself: every write operation of
every port, called as the legacy client calls it (the golden requests'
arguments, ids taken from what earlier calls created), leaves exactly one
journal entry whose before/after images are exactly the rows that changed
in the database (a snapshot of every table before and after the call);
the same call refused (another tenant's credentials, or a duplicate)
leaves no entry and no change. SQLite and MariaDB.

Then `ngnpro journal` finds the entries by record key, customer and
operation, and --purge keeps what is younger than [journal] keep_days.
"""
import copy
import datetime
import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import insert, select, update

from ngnpro.store import journal
from tests.helpers import make_dispatcher, seed_fixture_world
from tests.soapcall import Client, SoapFault, admin, customer, envelope

HERE = os.path.dirname(__file__)
FIXTURES = {f['file']: f for f in json.load(open(os.path.join(
    HERE, 'wire', 'index.json')))['fixtures']}
PRESENCE_NS = ('urn:AGProjects:SoapSIMPLEProxy:Presence',
               'urn:AGProjects:SoapSIMPLEProxy')
ALICE = 'alice@example.com'
OTHER = ('other-reseller', 'Other-pass-1')   # a tenant of its own
VOUCHER = {'id': 1234, 'number': '5558123498761234'}


def args_of(name, **patch):
    """A golden request's arguments (decoded values), members patched by
    dotted path: {'gateway.carrier_id': 5}."""
    args = copy.deepcopy(FIXTURES[name]['args'])
    for path, value in patch.items():
        target = args
        *parents, last = path.split('.')
        for p in parents:
            target = target[int(p)] if isinstance(target, list) else \
                target[p]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return args


class Step:
    def __init__(self, fixture, key, auth='admin17', refused='other',
                 **patch):
        self.fixture = fixture
        f = FIXTURES[fixture]
        self.port = f['port']
        self.operation = f['operation']
        self.key = key              # the journal's record key, or callable
        self.auth = auth
        self.refused = refused      # 'other', 'again' or None
        self.patch = patch          # member path -> value or fn(world)

    @property
    def name(self):
        return '%sPort.%s' % (self.port, self.operation)

    def arguments(self, world):
        patch = {k: (v(world) if callable(v) else v)
                 for k, v in self.patch.items()}
        args = args_of(self.fixture, **patch)
        return [(n, args.get(n)) for n in FIXTURES[self.fixture]['arg_order']]


def key_of(attr):
    return lambda world: str(world[attr])


# Every write operation, in an order in which each one succeeds.
SCENARIO = [
    Step('Customer.addAccount.xml', key_of('acme'), refused='again'),
    Step('Customer.setProperties.xml', '23'),
    Step('Customer.updateAccount.xml', key_of('acme'), auth='admin',
         **{'account.id': key_of('acme_int')}),
    Step('Sip.addDomain.xml', 'example.com', refused='again'),
    Step('Sip.updateDomain.xml', 'example.com'),
    Step('Sip.addTrustedPeer.xml', '198.51.100.7', refused='again'),
    Step('Sip.updateTrustedPeer.xml', '198.51.100.7'),
    Step('Sip.addAccount.xml', ALICE, refused='again',
         **{'account.password': 'wonderland7'}),
    Step('Sip.addAccount.autoincrement.xml', '1000@example.com',
         refused=None),
    Step('Sip.addBalance.xml', ALICE),
    Step('Sip.addBalanceFromVoucher.xml', ALICE, refused='again'),
    Step('Sip.updateAccount.xml', ALICE,
         **{'account.password': 'wonderland7'}),
    Step('Sip.addAlias.xml', 'alice.smith@example.com', refused='again'),
    Step('Sip.updateAlias.xml', 'alice.smith@example.com'),
    Step('Sip.addToGroup.xml', ALICE, refused='again'),
    Step('Sip.removeFromGroup.xml', ALICE, refused='again',
         **{'group': 'blocked'}),
    Step('Sip.addPhonebookEntry.xml', ALICE, refused='again'),
    Step('Sip.updatePhonebookEntry.xml', ALICE),
    Step('Sip.deletePhonebookEntry.xml', ALICE, refused='again'),
    Step('Sip.setRejectMembers.xml', ALICE),
    Step('Sip.setAcceptRules.xml', ALICE),
    Step('Sip.setBarringPrefixes.xml', ALICE),
    Step('Sip.setCallDiversions.xml', ALICE,
         **{'diversions.FNOA': 'sip:voicemail@example.com'}),
    Step('Sip.addCarrier.xml', key_of('carrier'), refused=None),
    Step('Sip.updateCarrier.xml', key_of('carrier'),
         **{'carrier.id': key_of('carrier_int')}),
    Step('Sip.addGateway.xml', key_of('gateway'), refused='again',
         **{'gateway.carrier_id': key_of('carrier_int')}),
    Step('Sip.updateGateway.xml', key_of('gateway'),
         **{'gateway.id': key_of('gateway_int'),
            'gateway.carrier_id': key_of('carrier_int')}),
    Step('Sip.addGatewayRule.xml', key_of('rule'), refused=None,
         **{'rule.gateway_id': key_of('gateway_int')}),
    Step('Sip.updateGatewayRule.xml', key_of('rule'),
         **{'rule.id': key_of('rule_int'),
            'rule.gateway_id': key_of('gateway_int'),
            'rule.carrier_id': key_of('carrier_int')}),
    Step('Sip.addRoutes.xml', key_of('route'), refused=None,
         **{'routes.0.carrier_id': key_of('carrier_int')}),
    Step('Sip.updateRoutes.xml', key_of('route'),
         **{'routes.0.id': key_of('route_int'),
            'routes.0.carrier_id': key_of('carrier_int')}),
    Step('Dns.addZone.xml', 'example.com', refused='again'),
    Step('Dns.updateZone.xml', 'example.com'),
    Step('Dns.addRecord.xml', key_of('record'), refused='again'),
    Step('Dns.updateRecord.xml', key_of('record'),
         **{'record.id': key_of('record_int')}),
    Step('Dns.addFancyRecord.xml', key_of('fancy'), refused='again'),
    Step('Dns.updateFancyRecord.xml', key_of('fancy'),
         **{'record.id': key_of('fancy_int')}),
    Step('Enum.addRange.xml', '3120800@e164.arpa', refused='again'),
    Step('Enum.updateRange.xml', '3120800@e164.arpa'),
    Step('Enum.addNumber.xml', '31208005123@e164.arpa', refused='again'),
    Step('Enum.updateNumber.xml', '31208005123@e164.arpa',
         **{'number.mappings.0.id': key_of('mapping_int'),
            'number.mappings.1.id': 0}),
    Step('Voicemail.addAccount.xml', ALICE, refused='again'),
    Step('Voicemail.updateAccount.xml', ALICE),
    Step('Voicemail.setAnnouncement.xml', ALICE),
    Step('Rating.setEntityProfiles.xml', 'subscriber://alice@example.com'),
    Step('Presence.setPresenceInformation.xml', ALICE, auth=None,
         refused='password'),
    Step('Presence.setPolicy.xml', ALICE, auth=None, refused='password'),
    Step('Presence.deletePresenceInformation.xml', ALICE, auth=None,
         refused='password'),
    # Deletions, dependants first.
    Step('Rating.deleteEntityProfiles.xml', 'subscriber://alice@example.com',
         refused='again'),
    Step('Voicemail.deleteAccount.xml', ALICE, refused='again'),
    Step('Enum.deleteNumber.xml', '31208005123@e164.arpa', refused='again'),
    Step('Enum.deleteRange.xml', '3120800@e164.arpa', refused='again'),
    Step('Dns.deleteFancyRecord.xml', key_of('fancy'), refused='again',
         **{'recordId': key_of('fancy_int')}),
    Step('Dns.deleteRecord.xml', key_of('record'), refused='again',
         **{'recordId': key_of('record_int')}),
    Step('Dns.deleteZone.xml', 'example.com', refused='again'),
    Step('Sip.deleteRoutes.xml', key_of('route'), refused='again',
         **{'routes.0.id': key_of('route_int')}),
    Step('Sip.deleteGatewayRule.xml', key_of('rule'), refused='again',
         **{'id': key_of('rule_int')}),
    Step('Sip.deleteGateway.xml', key_of('gateway'), refused='again',
         **{'id': key_of('gateway_int')}),
    Step('Sip.deleteCarrier.xml', key_of('carrier'), refused='again',
         **{'id': key_of('carrier_int')}),
    Step('Sip.deleteAlias.xml', 'alice.smith@example.com', refused='again'),
    Step('Sip.deleteAccount.xml', ALICE, refused='again'),
    Step('Sip.deleteTrustedPeer.xml', '198.51.100.7', refused='again'),
    Step('Sip.deleteDomain.xml', 'example.com', refused='again'),
    Step('Customer.deleteAccount.xml', key_of('acme'), refused='again',
         **{'id': key_of('acme_int')}),
]


def auth_of(step, which):
    if which == 'admin17':
        return admin(17)
    if which == 'admin':
        return admin()
    if which == 'other':
        return customer(*OTHER)
    return None


def snapshot(store):
    """{table: {primary key: row}} of every journalled table."""
    out = {}
    with store.engine.connect() as conn:
        for t in store.schema.metadata.sorted_tables:
            if t.name in journal.SKIP:
                continue
            pk = [c.name for c in t.primary_key.columns]
            out[t.name] = {tuple(r[c] for c in pk): dict(r)
                           for r in conn.execute(select(t)).mappings()}
    return out


def jsonish(value):
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def difference(store, old, new):
    """The journal's images of what changed between two snapshots."""
    secret = journal.secret_columns(store.schema)
    before, after = {}, {}
    for table in new:
        hidden = secret.get(table, ())
        for key in sorted(set(old[table]) | set(new[table]), key=repr):
            a, b = old[table].get(key), new[table].get(key)
            if a == b:
                continue
            if a is not None:
                before.setdefault(table, []).append(journal.masked(a, hidden))
            if b is not None:
                after.setdefault(table, []).append(journal.masked(b, hidden))
    return jsonish(before), jsonish(after)


def canonical(images):
    return {t: sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))
            for t, rows in images.items()}


def entries(store):
    j = store.schema.journal
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(j).order_by(j.c.id))
                .mappings()]


class Run:
    """The scenario's outcome, per operation."""

    def __init__(self):
        self.calls = {}        # operation -> [outcome dicts]


def post(dispatcher, step, args, auth):
    ns = PRESENCE_NS if step.port == 'Presence' else None
    body = envelope(step.port, step.operation, args, auth, namespaces=ns)
    return dispatcher.handle(body, '192.0.2.99')


def learn(world, step, dispatcher):
    """Ids that later steps need, from what this one created."""
    d = dispatcher
    sip = Client(d, 'Sip', admin(17))
    if step.fixture == 'Customer.addAccount.xml':
        found = Client(d, 'Customer', admin())('getCustomers', ('query', {
            'filter': {'username': 'acme'}}))
        world['acme_int'] = found['accounts'][0]['id']
        world['acme'] = world['acme_int']
    elif step.operation == 'addCarrier':
        world['carrier_int'] = world['carrier'] = sip('getCarriers', (
            'query', {'filter': {}}))['carriers'][0]['id']
    elif step.operation == 'addGateway':
        world['gateway_int'] = world['gateway'] = sip('getGateways', (
            'query', {'filter': {}}))['gateways'][0]['id']
    elif step.operation == 'addGatewayRule':
        world['rule_int'] = world['rule'] = sip('getGatewayRules', (
            'query', {'filter': {}}))['gateway_rules'][0]['id']
    elif step.operation == 'addRoutes':
        world['route_int'] = world['route'] = sip('getRoutes', (
            'query', {'filter': {}}))['routes'][0]['id']
    elif step.operation in ('addRecord', 'addFancyRecord'):
        dns = Client(d, 'Dns', admin(17))
        fancy = step.operation == 'addFancyRecord'
        found = dns('getFancyRecords' if fancy else 'getRecords', (
            'query', {'filter': {'zone': 'example.com'}}))
        name = 'fancy' if fancy else 'record'
        world[name + '_int'] = world[name] = found['records'][0]['id']
    elif step.operation == 'addNumber':
        found = Client(d, 'Enum', admin(17))('getNumbers', ('query', {
            'filter': {'number': '31208005123'}}))
        world['mapping_int'] = found['numbers'][0]['mappings'][0]['id']


@pytest.fixture(scope='module', params=['sqlite', 'mariadb'])
def run(request, tmp_path_factory):
    if request.param == 'sqlite':
        url = 'sqlite:///%s' % (tmp_path_factory.mktemp('journal')
                                / 'ngnpro.sqlite')
    else:
        url = request.getfixturevalue('mariadb').create_database(
            'journal_%d' % os.getpid())
    seed_fixture_world(url)
    d = make_dispatcher(url, voicemail_server='vm.example.com')
    s = d.store.schema
    with d.store.engine.begin() as conn:
        conn.execute(insert(s.prepaid_cards).values(
            id=VOUCHER['id'], number=VOUCHER['number'], value=10,
            reseller_id=17, batch='b1'))
    cust = Client(d, 'Customer', admin())
    cust('addAccount', ('account', {'username': OTHER[0],
                                    'password': OTHER[1],
                                    'resellerActive': True}))
    # Alice is in free-pstn: her reseller needs PSTN rights.
    cust('setProperties', ('customer', 17), ('properties', [{
        'name': 'pstn_access', 'value': '1', 'permission': 'admin'}, {
        'name': 'prepaid_changes', 'value': '1', 'permission': 'admin'}, {
        'name': 'pstn_changes', 'value': '1', 'permission': 'admin'}]))
    world, result = {}, Run()
    for step in SCENARIO:
        args = step.arguments(world)
        outcome = {'step': step}
        old, count = snapshot(d.store), len(entries(d.store))
        done = post(d, step, args, auth_of(step, step.auth))
        new, added = snapshot(d.store), entries(d.store)[count:]
        outcome.update(errorcode=done.errorcode, body=done.body,
                       entries=added,
                       expected=difference(d.store, old, new))
        if done.errorcode == 0:
            learn(world, step, d)
            outcome['key'] = step.key(world) if callable(step.key) \
                else step.key
            if step.refused:
                outcome['refused'] = refuse(d, step, args)
        result.calls.setdefault(step.name, []).append(outcome)
    result.dispatcher = d
    result.url = url
    yield result
    d.store.dispose()


def refuse(d, step, args):
    """The same call refused: (errorcode, entries added, tables same)."""
    if step.refused == 'password':
        args = [(n, 'wrong-password' if n == 'password' else v)
                for n, v in args]
    auth = auth_of(step, 'other' if step.refused == 'other' else step.auth)
    old, count = snapshot(d.store), len(entries(d.store))
    done = post(d, step, args, auth)
    return (done.errorcode, entries(d.store)[count:],
            snapshot(d.store) == old)


def write_operations():
    from ports import all_ports
    out = []
    for port in all_ports():
        if port.service is None:
            continue
        for key, methods in port.service.public_methods.items():
            if not key.startswith('get'):
                out.append('%s.%s' % (port.name, key))
    return sorted(out)


@pytest.mark.parametrize('operation', write_operations())
def test_every_write_leaves_one_exact_entry(run, operation):
    calls = run.calls.get(operation)
    assert calls, '%s is not in the scenario' % operation
    for call in calls:
        assert call['errorcode'] == 0, call['body'][-600:]
        (entry,) = call['entries']
        assert entry['operation'] == operation
        assert entry['client'] == '192.0.2.99'
        assert entry['record'] == call['key']
        before, after = call['expected']
        assert before or after, 'the call changed nothing'
        assert canonical(json.loads(entry['before'])) == canonical(before)
        assert canonical(json.loads(entry['after'])) == canonical(after)
        # Every record here is reseller 17's: --customer 17 finds it.
        assert ',17,' in entry['owners'], entry['owners']
        if operation.startswith('PresencePort.'):
            assert entry['principal'] == '-'
        else:
            assert entry['principal'].startswith('ngnpro-admin')
        refused = call.get('refused')
        if call['step'].refused:
            code, added, unchanged = refused
            assert code != 0
            assert added == [] and unchanged


def test_secrets_never_reach_the_journal(run):
    text = json.dumps(entries(run.dispatcher.store), default=str)
    for secret in ('wonderland7', VOUCHER['number'], 'Acme-2024', '4821',
                   '7391', 'e854f1531df028fafb73a06e8e8a16ef',
                   '79b333bcb966ccf708e59ec0e138f6ba'):
        assert secret not in text, secret
    # The greeting is there by size and digest only.
    (greeting,) = run.calls['VoicemailPort.setAnnouncement']
    after = json.loads(greeting['entries'][0]['after'])
    (row,) = after['ngnpro_voicemail_greetings']
    assert row['audio'].startswith('<44 bytes sha256:')


def test_journal_command_finds_entries(run, tmp_path):
    config = tmp_path / 'config.ini'
    config.write_text('[admin]\npassword = x\n[database]\nurl = %s\n'
                      % run.url)

    def journal_cli(*args):
        done = subprocess.run([sys.executable, '-m', 'ngnpro.cli', '-c',
                               str(config), 'journal', '--json'] +
                              list(args), capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        return [json.loads(line) for line in done.stdout.splitlines()]

    alice = journal_cli('--key', ALICE, '--limit', '1000')
    ops = [e['operation'] for e in alice]
    assert ops[0] == 'SipPort.addAccount' and ops[-1] == \
        'SipPort.deleteAccount'
    assert 'PresencePort.setPolicy' in ops and \
        'VoicemailPort.setAnnouncement' in ops
    assert all(e['record'] == ALICE for e in alice)
    created = alice[0]
    assert created['before'] == {} and \
        created['after']['ngnpro_sip_accounts'][0]['username'] == 'alice'
    assert created['after']['subscriber'][0]['ha1'] == journal.MASK
    # Customer 23's records, whoever changed them.
    mine = journal_cli('--customer', '23', '--limit', '1000')
    assert {'CustomerPort.setProperties', 'SipPort.setRejectMembers',
            'DnsPort.addZone', 'EnumPort.addNumber'} <= \
        {e['operation'] for e in mine}
    assert all(',23,' in e['owners'] for e in mine)
    dns = journal_cli('--operation', 'DnsPort.%FancyRecord')
    assert {e['operation'] for e in dns} == {
        'DnsPort.addFancyRecord', 'DnsPort.updateFancyRecord',
        'DnsPort.deleteFancyRecord'}
    assert journal_cli('--since', '1h', '--limit', '3')[-1]['operation'] == \
        'CustomerPort.deleteAccount'


def test_journal_purge_keeps_the_recent_entries(run, tmp_path):
    store = run.dispatcher.store
    j = store.schema.journal
    total = len(entries(store))
    old = datetime.datetime.now() - datetime.timedelta(days=40)
    with store.engine.begin() as conn:
        first = conn.execute(select(j.c.id).order_by(j.c.id).limit(5)) \
            .scalars().all()
        conn.execute(update(j).where(j.c.id.in_(first)).values(date=old))
    config = tmp_path / 'config.ini'
    config.write_text('[admin]\npassword = x\n[database]\nurl = %s\n'
                      '[journal]\nkeep_days = 30\n' % run.url)
    done = subprocess.run([sys.executable, '-m', 'ngnpro.cli', '-c',
                           str(config), 'journal', '--purge'],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert '5 entries older than 30 days deleted' in done.stdout
    assert len(entries(store)) == total - 5


def test_journal_can_be_switched_off(tmp_path):
    d = make_dispatcher('sqlite:///%s' % (tmp_path / 'off.sqlite'),
                        journal=False)
    try:
        Client(d, 'Sip', admin())('addDomain', ('domain', {
            'domain': 'off.example.com'}))
        assert entries(d.store) == []
    finally:
        d.store.dispose()


def test_a_fault_after_writes_leaves_no_entry(tmp_path):
    """updateAccount moves the customer's records to its new reseller,
    then finds its new username taken: the moves are rolled back with
    the call, and no entry says they happened."""
    d = make_dispatcher('sqlite:///%s' % (tmp_path / 'f.sqlite'))
    try:
        cust = Client(d, 'Customer', admin())
        r1 = cust('addAccount', ('account', {'username': 'r1',
                                             'password': 'x'}))['id']
        r2 = cust('addAccount', ('account', {'username': 'r2',
                                             'password': 'x'}))['id']
        c = cust('addAccount', ('account', {'username': 'c', 'password': 'x',
                                            'reseller': r1}))['id']
        Client(d, 'Sip', admin())('addDomain', ('domain', {
            'domain': 'f.example.com', 'customer': c}))
        before, count = snapshot(d.store), len(entries(d.store))
        with pytest.raises(SoapFault) as fault:
            cust('updateAccount', ('account', {'id': c, 'reseller': r2,
                                               'username': 'r1'}))
        assert fault.value.code == 5001
        assert len(entries(d.store)) == count
        assert snapshot(d.store) == before
    finally:
        d.store.dispose()


def test_inserted_rows_are_journalled_from_what_was_sent(run):
    """An INSERT whose values are all known (sent, or a column default)
    is journalled from those values, without reading the row back; the
    image is still exactly the row stored."""
    from sqlalchemy import event
    d = run.dispatcher
    s = d.store.schema
    seen = []

    def statement(conn, cursor, sql, *rest):
        seen.append(' '.join(sql.split()))
    event.listen(d.store.engine, 'before_cursor_execute', statement)
    sip = Client(d, 'Sip', admin(17))
    sip('addDomain', ('domain', {'domain': 'sent.example.com'}))
    try:
        sip('addAccount', ('account', {
            'id': {'username': 'sent', 'domain': 'sent.example.com'},
            'password': 'Sent-pw-1', 'firstName': 'Sent',
            'groups': ['free-pstn']}))
    finally:
        event.remove(d.store.engine, 'before_cursor_execute', statement)
    for table in (s.sip_accounts, s.subscriber, s.grp):
        assert not [q for q in seen if q.startswith('SELECT') and
                    'FROM %s WHERE %s.id =' % (table.name, table.name) in q]
    entry = entries(d.store)[-1]
    after = json.loads(entry['after'])
    with d.store.engine.connect() as conn:
        row = conn.execute(select(s.sip_accounts).where(
            s.sip_accounts.c.username == 'sent')).mappings().one()
    assert after[s.sip_accounts.name] == json.loads(json.dumps(
        [journal.masked(dict(row))], sort_keys=True, default=str))
    assert [r['grp'] for r in after[s.grp.name]] == ['free-pstn']
    assert after[s.subscriber.name][0]['username'] == 'sent'
