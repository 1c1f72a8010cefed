"""CDRTool's prepaid tables (AGProjects/cdrtool setup/mysql/
create_tables.mysql): CDRTool's rating engine does the prepaid call control
from them, so balances, their history and vouchers live here and nowhere
else.

* ``prepaid``: the balance of ``user@domain`` (DECIMAL(10,4)).
* ``prepaid_history``: one row per balance change, the balance after it.
* ``prepaid_cards``: vouchers, made by CDRTool's card generator. CDRTool
  counts a card whose value is 0 as used; redeeming one sets its value to 0
  (and ``date_active`` to the day), so it is spent exactly once.

Index names carry the table name where CDRTool reuses one (SQLite wants
them unique in the database).
"""
from sqlalchemy import (BigInteger, Column, Date, DateTime, Index, Integer,
                        SmallInteger, String, Text, UniqueConstraint, text)

from .base import Money

_ID = BigInteger().with_variant(Integer, 'sqlite')   # SQLite rowid alias


def define(s):
    s.prepaid = s.native(
        'prepaid', None,
        Column('id', Integer, primary_key=True, autoincrement=True),
        Column('reseller_id', Integer, nullable=False, default=0),
        Column('account', String(255), nullable=False, default=''),
        Column('balance', Money, nullable=False,
               server_default=text("'0'")),
        Column('change_date', DateTime, nullable=False),
        Column('active_sessions', Text, nullable=False),
        Column('session_counter', Integer, nullable=False,
               server_default=text('0')),
        Column('max_sessions', Integer, nullable=False,
               server_default=text('1')),
        UniqueConstraint('account', name='acc_id'),
        Index('prepaid_reseller_idx', 'reseller_id'))
    s.prepaid_history = s.native(
        'prepaid_history', None,
        Column('id', _ID, primary_key=True, autoincrement=True),
        Column('reseller_id', Integer, nullable=False, default=0),
        Column('username', String(64), nullable=False, default=''),
        Column('domain', String(64), nullable=False, default=''),
        Column('action', String(255), nullable=False, default=''),
        Column('duration', BigInteger, nullable=False, default=0),
        Column('destination', String(15), nullable=False, default=''),
        Column('session', String(255), nullable=False, default=''),
        Column('description', String(255), nullable=False, default=''),
        Column('value', Money, nullable=False),
        Column('balance', Money, nullable=False),
        Column('date', DateTime, nullable=True),
        Index('acct_id', 'username', 'domain'),
        Index('session_idx', 'session'),
        Index('prepaid_history_reseller_idx', 'reseller_id'))
    s.prepaid_cards = s.native(
        'prepaid_cards', None,
        Column('id', _ID, primary_key=True, autoincrement=True),
        Column('reseller_id', Integer, nullable=False, default=0),
        Column('batch', String(255), nullable=False, default=''),
        Column('number', String(64), nullable=False, default=''),
        Column('value', Money, nullable=True, server_default=text("'0'")),
        Column('blocked', SmallInteger, nullable=False,
               server_default=text('0')),
        # CDRTool's NOT NULL DEFAULT '0000-00-00' is no date on SQLite.
        Column('date_active', Date, nullable=True),
        Column('date_batch', Date, nullable=True),
        Column('service', String(255), nullable=False,
               server_default=text("'sip'")),
        UniqueConstraint('number', name='card_idx'),
        Index('prepaid_cards_reseller_idx', 'reseller_id'))
