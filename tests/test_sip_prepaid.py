"""Prepaid balances in CDRTool's tables (spec §2.1 Prepaid, §5.19,
native-schemas §B4): exact to the cent, every change in prepaid_history,
vouchers spent exactly once even under concurrent redemptions from two
servers, on SQLite and MariaDB."""
import datetime
import threading
from decimal import Decimal

import pytest

from tests.helpers import make_dispatcher, rows
from tests.soapcall import Client, SoapFault, admin

DOMAIN = 'example.com'
ALICE = {'username': 'alice', 'domain': DOMAIN}
BOB = {'username': 'bob', 'domain': DOMAIN}
ME = ('sipId', ALICE)


@pytest.fixture
def sip(dispatcher):
    call = Client(dispatcher, 'Sip', admin())
    call('addDomain', ('domain', {'domain': DOMAIN}))
    for user in ('alice', 'bob'):
        call('addAccount', ('account', {
            'id': {'username': user, 'domain': DOMAIN}, 'password': 'pw',
            'prepaid': True}))
    return call


def fault(call, *args):
    with pytest.raises(SoapFault) as info:
        call(*args)
    return info.value.code, info.value.string


def add_card(dispatcher, number, value, reseller=0, blocked=0):
    """A voucher as CDRTool's card generator inserts it."""
    t = dispatcher.store.schema.prepaid_cards
    with dispatcher.store.engine.begin() as conn:
        return conn.execute(t.insert().values(
            number=number, value=Decimal(value), batch='2024-05-01-test',
            date_batch=datetime.date(2024, 5, 1), service='sip',
            reseller_id=reseller, blocked=blocked)).inserted_primary_key[0]


def balance_row(dispatcher, account='alice@example.com'):
    (row,) = rows(dispatcher, 'prepaid', account=account)
    return row


def test_balance_and_history_to_the_cent(sip, dispatcher):
    assert sip('getCreditHistory', ME, ('count', 200)) == {'entries': []}
    assert sip('addBalance', ME, ('value', 25.0), ('description',
               'CC transaction 9KX12345AB678901C')) == \
        {'old_balance': 0.0, 'new_balance': 25.0}
    assert sip('addBalance', ME, ('value', -10.5), ('description',
               'Refund 9KX12345AB678901C with 5TY98765CD432109E')) == \
        {'old_balance': 25.0, 'new_balance': 14.5}
    for _ in range(3):               # 0.1 + 0.1 + 0.1 is 0.3 here
        sip('addBalance', ME, ('value', 0.1), ('description', 'dime'))
    change = sip('addBalance', ME, ('value', 0.01), ('description', 'cent'))
    assert change == {'old_balance': 14.8, 'new_balance': 14.81}
    row = balance_row(dispatcher)
    assert row['balance'] == Decimal('14.8100')
    assert isinstance(row['balance'], Decimal)
    assert row['reseller_id'] == 0 and row['max_sessions'] == 1

    history = rows(dispatcher, 'prepaid_history', username='alice')
    assert [(h['action'], h['value'], h['balance']) for h in
            sorted(history, key=lambda h: h['id'])] == [
        ('Add balance', Decimal('25.0000'), Decimal('25.0000')),
        ('Debit balance', Decimal('-10.5000'), Decimal('14.5000')),
        ('Add balance', Decimal('0.1000'), Decimal('14.6000')),
        ('Add balance', Decimal('0.1000'), Decimal('14.7000')),
        ('Add balance', Decimal('0.1000'), Decimal('14.8000')),
        ('Add balance', Decimal('0.0100'), Decimal('14.8100'))]
    assert all(h['domain'] == DOMAIN and h['date'] for h in history)

    got = sip('getCreditHistory', ME, ('count', 200))['entries']
    assert [(e['action'], e['description'], e['value'], e['balance'])
            for e in got] == [
        ('Add balance', 'cent', 0.01, 14.81),
        ('Add balance', 'dime', 0.1, 14.8),
        ('Add balance', 'dime', 0.1, 14.7),
        ('Add balance', 'dime', 0.1, 14.6),
        ('Debit balance', 'Refund 9KX12345AB678901C with 5TY98765CD432109E',
         -10.5, 14.5),
        ('Add balance', 'CC transaction 9KX12345AB678901C', 25.0, 25.0)]
    today = datetime.date.today().strftime('%Y-%m-%d')
    assert all(e['date'].startswith(today) and len(e['date']) == 19
               and e['session'] == '' for e in got)
    assert len(sip('getCreditHistory', ME, ('count', 2))['entries']) == 2
    # Older clients send no count and no description.
    assert len(sip('getCreditHistory', ME)['entries']) == 6
    sip('addBalance', ME, ('value', 1.0))
    assert sip('getCreditHistory', ME, ('count', 1))['entries'][0][
        'description'] == ''

    # One status per requested id, in request order, 0 without a balance.
    carol = {'username': 'carol', 'domain': DOMAIN}
    sip('addAccount', ('account', {'id': carol, 'password': 'pw'}))
    sip('addBalance', ('sipId', BOB), ('value', 3.33), ('description', 'x'))
    assert sip('getPrepaidStatus', ('sipIds', [BOB, carol, ALICE, BOB])) == [
        {'id': BOB, 'balance': 3.33}, {'id': carol, 'balance': 0.0},
        {'id': ALICE, 'balance': 15.81}, {'id': BOB, 'balance': 3.33}]
    assert fault(sip, 'getPrepaidStatus', ('sipIds', [
        ALICE, {'username': 'nobody', 'domain': DOMAIN}]))[0] == 1010


@pytest.mark.parametrize('value, text', [
    (0.0, 'must not be 0'), (1000000.0, 'beyond'), (-1e12, 'beyond')])
def test_add_balance_is_checked(sip, dispatcher, value, text):
    sip('addBalance', ME, ('value', 1.0), ('description', 'x'))
    code, message = fault(sip, 'addBalance', ME, ('value', value),
                          ('description', 'y'))
    assert code == 103 and text in message
    assert balance_row(dispatcher)['balance'] == Decimal('1.0000')
    assert len(rows(dispatcher, 'prepaid_history')) == 1


def test_balance_cannot_leave_the_column(sip, dispatcher):
    sip('addBalance', ME, ('value', 999999.0), ('description', 'x'))
    code, message = fault(sip, 'addBalance', ME, ('value', 1.0),
                          ('description', 'y'))
    assert code == 103 and 'would be 1000000.0000' in message
    assert balance_row(dispatcher)['balance'] == Decimal('999999.0000')


def test_voucher_is_spent_once(sip, dispatcher):
    card = add_card(dispatcher, '5558123498761234', '10.0000')
    change = sip('addBalanceFromVoucher', ME, ('card', {
        'id': card, 'number': '5558123498761234'}), card='PrepaidCard')
    assert change == {'old_balance': 0.0, 'new_balance': 10.0}
    (row,) = rows(dispatcher, 'prepaid_cards', id=card)
    assert row['value'] == Decimal('0.0000')
    assert row['date_active'] == datetime.date.today()
    (h,) = rows(dispatcher, 'prepaid_history', username='alice')
    assert (h['action'], h['description'], h['value'], h['balance']) == \
        ('Add balance', 'Prepaid card %d' % card, Decimal('10.0000'),
         Decimal('10.0000'))
    code, text = fault(sip, 'addBalanceFromVoucher', ('sipId', BOB),
                       ('card', {'id': card, 'number': '5558123498761234'}))
    assert (code, text) == (1071, 'Prepaid card %d has already been used'
                            % card)
    assert rows(dispatcher, 'prepaid', account='bob@example.com') == []


def test_voucher_faults(sip, dispatcher):
    from tests.test_sip_port import reseller_with_customer
    good = add_card(dispatcher, '111', '5')
    blocked = add_card(dispatcher, '222', '5', blocked=1)
    _, reseller, _ = reseller_with_customer(dispatcher)
    foreign = add_card(dispatcher, '333', '5', reseller=reseller)
    cases = [({'id': good, 'number': '112'}, 1070),
             ({'id': 999999, 'number': '111'}, 1070),
             ({'id': foreign, 'number': '333'}, 1070),
             ({'id': blocked, 'number': '222'}, 1072),
             ({'id': good}, 103)]
    for card, code in cases:
        assert fault(sip, 'addBalanceFromVoucher', ME, ('card', card))[0] \
            == code, card
    assert rows(dispatcher, 'prepaid') == []
    assert rows(dispatcher, 'prepaid_history') == []
    assert {r['id']: r['value'] for r in rows(dispatcher, 'prepaid_cards')} \
        == {good: Decimal('5.0000'), blocked: Decimal('5.0000'),
            foreign: Decimal('5.0000')}


def test_voucher_race_on_two_servers(db_url, sip, dispatcher):
    """16 concurrent redemptions of one card through two servers (two
    engines) on one database: exactly one wins, the value is added once."""
    second = make_dispatcher(db_url)
    try:
        card = add_card(dispatcher, '5558000011112222', '7.5')
        servers = [dispatcher, second]
        barrier = threading.Barrier(16)
        outcomes = []

        def redeem(i):
            client = Client(servers[i % 2], 'Sip', admin())
            barrier.wait()
            try:
                outcomes.append(client('addBalanceFromVoucher', ME, (
                    'card', {'id': card, 'number': '5558000011112222'})))
            except SoapFault as exc:
                outcomes.append(exc.code)
        threads = [threading.Thread(target=redeem, args=(i,))
                   for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        wins = [o for o in outcomes if isinstance(o, dict)]
        assert len(outcomes) == 16
        assert wins == [{'old_balance': 0.0, 'new_balance': 7.5}]
        assert sorted(o for o in outcomes if not isinstance(o, dict)) == \
            [1071] * 15
        assert balance_row(dispatcher)['balance'] == Decimal('7.5000')
        assert len(rows(dispatcher, 'prepaid_history')) == 1
        assert rows(dispatcher, 'prepaid_cards')[0]['value'] == 0
    finally:
        second.store.dispose()


def test_concurrent_balance_changes_all_count(db_url, sip, dispatcher):
    """Balance changes from two servers at once: none is lost and the
    history is a consistent ledger."""
    second = make_dispatcher(db_url)
    try:
        servers = [dispatcher, second]
        barrier = threading.Barrier(12)
        errors = []

        def add(i):
            client = Client(servers[i % 2], 'Sip', admin())
            barrier.wait()
            try:
                client('addBalance', ME, ('value', 1.25), ('description',
                                                            str(i)))
            except SoapFault as exc:
                errors.append(exc)
        threads = [threading.Thread(target=add, args=(i,))
                   for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        assert balance_row(dispatcher)['balance'] == Decimal('15.0000')
        ledger = sorted(rows(dispatcher, 'prepaid_history'),
                        key=lambda h: h['id'])
        assert [h['balance'] for h in ledger] == \
            [Decimal('1.25') * (i + 1) for i in range(12)]
    finally:
        second.store.dispose()
