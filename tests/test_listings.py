"""Every filter field and orderBy attribute the spec names for each get*s
listing (§3.2, §5.5, §5.6), checked on three records whose values sort
differently field by field, on SQLite and MariaDB."""

from tests.soapcall import Client, admin

LETTERS = 'abc'


def value(field, i, k):
    """Record i's value of the k-th field: a different rotation per field,
    so that each orderBy gives its own order."""
    return '%s-%s' % (field.lower(), LETTERS[(i + k) % 3])


def check(call, operation, member, key, records, strings, exact, orders):
    """records: the three created records as {attribute: value} (creation
    order), each with the ``key`` that key(listed item) gives; strings: LIKE-filtered fields; exact: {filter: [values]} for
    filters matched by equality; orders: attributes to sort by."""
    def listed(query):
        result = call(operation, ('query', query))
        items = result[member]
        if 'range' not in query:
            assert result['total'] == len(items)
        return [key(item) for item in items]

    keys = [r['key'] for r in records]
    for field in strings:
        for i, r in enumerate(records):
            assert listed({'filter': {field: r[field]}}) == [keys[i]], field
        # `_` matches one character: where the three values differ.
        values = [r[field] for r in records]
        pattern = ''.join(c if len({v[j] for v in values}) == 1 else '_'
                          for j, c in enumerate(values[0]))
        assert '_' in pattern
        assert sorted(listed({'filter': {field: pattern}})) == sorted(keys)
        assert sorted(listed({'filter': {field: pattern[:3] + '%'}})) == \
            sorted(keys), field
        assert listed({'filter': {field: values[0] + '%x'}}) == [], field
    for field, wanted in exact.items():
        for i, v in enumerate(wanted):
            if v is not None:
                assert keys[i] in listed({'filter': {field: v}}), field
                assert all(records[keys.index(k)][field] == v for k in
                           listed({'filter': {field: v}})), field
    for attribute in orders:
        ascending = [keys[i] for i in sorted(
            range(3), key=lambda i: (records[i][attribute], i))]
        for direction, expected in (('ASC', ascending),
                                    ('DESC', ascending[::-1])):
            got = listed({'filter': {}, 'orderBy': {
                'attribute': attribute, 'direction': direction},
                'range': {'start': 0, 'count': 10}})
            assert got == expected, (attribute, direction)
        page = call(operation, ('query', {
            'filter': {}, 'orderBy': {'attribute': attribute,
                                      'direction': 'ASC'},
            'range': {'start': 1, 'count': 1}}))
        assert page['total'] == 3
        assert [key(item) for item in page[member]] == ascending[1:2]


def three_customers(dispatcher):
    cust = Client(dispatcher, 'Customer', admin())
    return [cust('addAccount', ('account', {'username': 'o%d' % i,
                                            'password': 'pw'}))['id']
            for i in range(3)]


CUSTOMER_STRINGS = ('username', 'firstName', 'lastName', 'organization',
                    'tel', 'email', 'web', 'city', 'country')


def test_customer_listing(dispatcher):
    call = Client(dispatcher, 'Customer', admin())
    records = []
    for i in range(3):
        r = {f: value(f, i, k) for k, f in enumerate(CUSTOMER_STRINGS)}
        r['password'] = 'pw'
        r['id'] = call('addAccount', ('account', r))['id']
        r['customer'] = r['reseller'] = r['changeDate'] = r['key'] = r['id']
        records.append(r)
    check(call, 'getCustomers', 'accounts', lambda a: a['id'], records,
          CUSTOMER_STRINGS,
          {'customer': [r['id'] for r in records],
           'reseller': [r['id'] for r in records]},
          ('username', 'firstName', 'lastName', 'organization', 'customer',
           'changeDate'))


def test_sip_account_listing(dispatcher):
    owners = three_customers(dispatcher)
    call = Client(dispatcher, 'Sip', admin())
    records = []
    for i in range(3):
        domain = 'dom-%s.example' % LETTERS[(i + 1) % 3]
        call('addDomain', ('domain', {'domain': domain,
                                      'customer': owners[i]}))
        r = {'username': value('username', i, 0), 'domain': domain,
             'firstName': value('firstName', i, 2),
             'lastName': value('lastName', i, 0),
             'email': value('email', i, 1) + '@example.org',
             'owner': owners[i], 'customer': owners[i],
             'reseller': owners[i], 'changeDate': i}
        call('addAccount', ('account', dict(
            {k: r[k] for k in ('firstName', 'lastName', 'email', 'owner')},
            id={'username': r['username'], 'domain': domain},
            password='pw', groups=['g%d' % i])))
        records.append(r)
    check(call, 'getAccounts', 'accounts',
          lambda a: (a['id']['username'], a['id']['domain']),
          [dict(r, key=(r['username'], r['domain'])) for r in records],
          ('username', 'domain', 'firstName', 'lastName', 'email'),
          {'owner': owners, 'customer': owners, 'reseller': owners},
          ('username', 'domain', 'changeDate'))
    grouped = call('getAccounts', ('query', {'filter': {'groups': ['g1']}}))
    assert [a['id']['username'] for a in grouped['accounts']] == \
        [records[1]['username']]


def test_alias_listing(dispatcher):
    owners = three_customers(dispatcher)
    call = Client(dispatcher, 'Sip', admin())
    records = []
    for i in range(3):
        domain = 'al-%s.example' % LETTERS[(i + 2) % 3]
        call('addDomain', ('domain', {'domain': domain,
                                      'customer': owners[i]}))
        target = ('tu-%s' % LETTERS[(i + 1) % 3], 'td-%s.example' % LETTERS[i])
        r = {'aliasUsername': value('alias', i, 0), 'aliasDomain': domain,
             'targetUsername': target[0], 'targetDomain': target[1],
             'owner': owners[i], 'customer': owners[i],
             'reseller': owners[i], 'changeDate': i,
             'key': value('alias', i, 0)}
        call('addAlias', ('alias', {
            'id': {'username': r['aliasUsername'], 'domain': domain},
            'target': {'username': target[0], 'domain': target[1]},
            'owner': owners[i]}))
        records.append(r)
    check(call, 'getAliases', 'aliases',
          lambda a: a['id']['username'], records,
          ('aliasUsername', 'aliasDomain', 'targetUsername', 'targetDomain'),
          {'owner': owners, 'customer': owners, 'reseller': owners},
          ('aliasUsername', 'aliasDomain', 'targetUsername', 'targetDomain',
           'changeDate'))


def test_domain_listing(dispatcher):
    owners = three_customers(dispatcher)
    call = Client(dispatcher, 'Sip', admin())
    records = []
    for i in range(3):
        r = {'domain': 'd-%s.example' % LETTERS[(i + 1) % 3],
             'customer': owners[i], 'reseller': owners[i], 'changeDate': i}
        r['key'] = r['domain']
        call('addDomain', ('domain', {'domain': r['domain'],
                                      'customer': owners[i]}))
        records.append(r)
    check(call, 'getDomains', 'domains', lambda d: d['domain'], records,
          ('domain',), {'customer': owners, 'reseller': owners},
          ('domain', 'changeDate'))


def test_trusted_peer_listing(dispatcher):
    call = Client(dispatcher, 'Sip', admin())
    records = []
    for i in range(3):
        r = {'ip': '192.0.2.%d' % (3 - i),
             'description': value('description', i, 1),
             'tenant': value('tenant', i, 2),
             'billingId': value('billingId', i, 0),
             'tags': value('tags', i, 1), 'msteams': i == 1,
             'blocked': i, 'changeDate': i}
        call('addTrustedPeer', ('peer', r))
        r['key'] = r['ip']
        records.append(r)
    check(call, 'getTrustedPeers', 'peers', lambda p: p['ip'], records,
          ('description', 'tenant', 'billingId', 'tags'),
          {'blocked': [None, 1, 2]},
          ('description', 'ip', 'changeDate'))
    for ip in ('192.0.2.2', '192.0.2.%'):
        got = call('getTrustedPeers', ('query', {'filter': {'ip': ip}}))
        assert got['total'] == (1 if '%' not in ip else 3)
    teams = call('getTrustedPeers', ('query', {'filter': {'msteams': True}}))
    assert [p['ip'] for p in teams['peers']] == ['192.0.2.2']
    plain = call('getTrustedPeers', ('query', {'filter': {'msteams': False}}))
    assert sorted(p['ip'] for p in plain['peers']) == ['192.0.2.1',
                                                        '192.0.2.3']


# -- DnsPort and EnumPort ------------------------------------------------------

def test_dns_zone_listing(dispatcher):
    owners = three_customers(dispatcher)
    call = Client(dispatcher, 'Dns', admin())
    records = []
    for i in range(3):
        r = {'name': 'z-%s.example' % LETTERS[(i + 1) % 3],
             'info': value('info', i, 2), 'customer': owners[i],
             'reseller': owners[i], 'changeDate': i}
        r['key'] = r['name']
        call('addZone', ('zone', {'name': r['name'], 'info': r['info'],
                                  'customer': owners[i]}))
        records.append(r)
    check(call, 'getZones', 'zones', lambda z: z['name'], records,
          ('name', 'info'), {'customer': owners, 'reseller': owners},
          ('name', 'changeDate'))


def _three_records(dispatcher, operation):
    owners = three_customers(dispatcher)
    call = Client(dispatcher, 'Dns', admin())
    records = []
    fancy = operation == 'addFancyRecord'
    for i in range(3):
        zone = 'r-%s.example' % LETTERS[(i + 2) % 3]
        call('addZone', ('zone', {'name': zone, 'customer': owners[i]}))
        r = {'zone': zone, 'name': value('name', i, 0),
             'type': 'URL' if fancy else ('TXT', 'A', 'TXT')[i],
             'owner': owners[i], 'customer': owners[i],
             'reseller': owners[i], 'changeDate': i}
        if fancy:
            r['value'] = 'http://%s.example/' % value('value', i, 1)
        else:
            r['value'] = value('value', i, 1) if r['type'] == 'TXT' \
                else '192.0.2.1'
        call(operation, ('record', {k: r[k] for k in (
            'zone', 'name', 'type', 'value', 'owner')}))
        records.append(r)
    return call, owners, records


def test_dns_record_listing(dispatcher):
    call, owners, records = _three_records(dispatcher, 'addRecord')
    got = call('getRecords', ('query', {'filter': {}}))['records']
    ids = {r['zone']: r['id'] for r in got}
    for r in records:
        r['key'] = r['id'] = ids[r['zone']]
    check(call, 'getRecords', 'records', lambda r: r['id'], records,
          ('zone', 'name'), {'id': [r['id'] for r in records],
                             'owner': owners, 'customer': owners,
                             'reseller': owners},
          ('name', 'type', 'changeDate'))
    # value and type: LIKE too (TXT values differ, the A does not).
    assert [r['zone'] for r in call('getRecords', ('query', {'filter': {
        'value': records[0]['value']}}))['records']] == [records[0]['zone']]
    assert sorted(r['zone'] for r in call('getRecords', ('query', {
        'filter': {'type': 'TXT'}}))['records']) == \
        sorted([records[0]['zone'], records[2]['zone']])


def test_dns_fancy_record_listing(dispatcher):
    call, owners, records = _three_records(dispatcher, 'addFancyRecord')
    got = call('getFancyRecords', ('query', {'filter': {}}))['records']
    ids = {r['zone']: r['id'] for r in got}
    for r in records:
        r['key'] = r['id'] = ids[r['zone']]
    check(call, 'getFancyRecords', 'records', lambda r: r['id'], records,
          ('zone', 'name', 'value'),
          {'id': [r['id'] for r in records], 'owner': owners,
           'customer': owners, 'reseller': owners},
          ('name', 'type', 'changeDate'))
    call('addFancyRecord', ('record', {'zone': records[0]['zone'],
                                       'name': 'm', 'type': 'MBOXFW',
                                       'value': 'm@example.org'}))
    assert [(r['type'], r['name']) for r in call('getFancyRecords', (
        'query', {'filter': {'type': 'MBOXFW'}}))['records']] == \
        [('MBOXFW', 'm@' + records[0]['zone'])]


def test_enum_range_and_number_listings(dispatcher):
    owners = three_customers(dispatcher)
    call = Client(dispatcher, 'Enum', admin())
    ranges, numbers = [], []
    for i in range(3):
        prefix = '31%d' % ((i + 1) % 3)
        tld = 'e164-%s.example' % LETTERS[(i + 2) % 3]
        r = {'prefix': prefix, 'tld': tld, 'info': value('info', i, 0),
             'customer': owners[i], 'reseller': owners[i], 'changeDate': i,
             'key': (prefix, tld)}
        call('addRange', ('range', {'id': {'prefix': prefix, 'tld': tld},
                                    'info': r['info'],
                                    'customer': owners[i]}))
        ranges.append(r)
        number = prefix + '%d' % ((i + 2) % 3)
        n = {'number': number, 'tld': tld, 'owner': owners[i],
             'customer': owners[i], 'reseller': owners[i], 'changeDate': i,
             'key': number}
        call('addNumber', ('number', {
            'id': {'number': number, 'tld': tld}, 'owner': owners[i],
            'mappings': [{'type': ('sip', 'mailto', 'tel')[i],
                          'mapto': ('sip:a@x.example', 'mailto:b@x.example',
                                    'tel:+%s' % number)[i]}]}))
        numbers.append(n)
    check(call, 'getRanges', 'ranges',
          lambda r: (r['id']['prefix'], r['id']['tld']), ranges,
          ('prefix', 'tld', 'info'), {'customer': owners, 'reseller': owners},
          ('prefix', 'tld', 'changeDate'))
    check(call, 'getNumbers', 'numbers', lambda n: n['id']['number'],
          numbers, ('number', 'tld'),
          {'owner': owners, 'customer': owners, 'reseller': owners},
          ('number', 'tld', 'changeDate'))
    for flt, expected in (({'type': 'mailto'}, [numbers[1]['number']]),
                          ({'mapto': 'tel:%'}, [numbers[2]['number']]),
                          ({'type': 'sip', 'mapto': 'a@x.example'},
                           [numbers[0]['number']])):
        got = call('getNumbers', ('query', {'filter': flt}))
        assert [n['id']['number'] for n in got['numbers']] == expected, flt


def test_dns_and_enum_listings_are_indexed(dispatcher):
    """Every filter and order column of these listings leads an index (a
    million rows stay fast)."""
    from ports.dns import fancy, records, zones
    from ports.enum import numbers, ranges
    s = dispatcher.store.schema
    for listing in (zones._zone_listing(s), records._record_listing(s),
                    fancy._fancy_listing(s), ranges._range_listing(s),
                    numbers._number_listing(s)):
        table = listing.source
        leading = {list(i.columns)[0].name for i in table.indexes}
        leading |= {list(c.columns)[0].name for c in table.constraints
                    if list(c.columns)}
        columns = [c for _, c in listing.filters.values()] + \
            list(listing.order.values())
        for column in columns:
            assert column.name in leading, (table.name, column.name)
    m = s.enum_mappings
    assert {list(i.columns)[0].name for i in m.indexes} >= {'number_id',
                                                             'type', 'mapto'}
