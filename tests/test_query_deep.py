"""Deep pages (the key-first fetch of ngnpro.store.query) answer exactly
what OFFSET/LIMIT answers, for every order, with filters and the groups
filter, on SQLite and MariaDB."""
import pytest

from ngnpro.store import query
from tests.soapcall import Client, admin

DOMAIN = 'deep.example.com'


@pytest.fixture
def sip(dispatcher):
    call = Client(dispatcher, 'Sip', admin())
    call('addDomain', ('domain', {'domain': DOMAIN}))
    call('addDomain', ('domain', {'domain': 'other.example.com'}))
    for i in range(24):
        # Usernames repeat over the two domains and sort unlike the ids.
        call('addAccount', ('account', {
            'id': {'username': 'u%02d' % ((i * 7) % 12),
                   'domain': DOMAIN if i < 12 else 'other.example.com'},
            'password': 'Pw-%d' % i, 'firstName': 'F%d' % (i % 3),
            'groups': ['g%d' % (i % 2)]}))
    return call


def listings():
    for order in ('username', 'domain', 'changeDate', None):
        for direction in ('ASC', 'DESC'):
            for flt in ({}, {'username': 'u0%'}, {'firstName': 'F1'},
                        {'groups': ['g1']}):
                for start, count in ((0, 5), (3, 4), (7, 50), (23, 5),
                                     (30, 5)):
                    q = {'filter': flt, 'range': {'start': start,
                                                  'count': count}}
                    if order:
                        q['orderBy'] = {'attribute': order,
                                        'direction': direction}
                    yield q


def test_deep_pages_answer_as_offsets_do(sip, monkeypatch):
    plain = [sip('getAccounts', ('query', q)) for q in listings()]
    assert any(len(r['accounts']) == 5 for r in plain)
    monkeypatch.setattr(query, 'DEFERRED_JOIN_OFFSET', 0)
    deep = [sip('getAccounts', ('query', q)) for q in listings()]
    assert deep == plain
