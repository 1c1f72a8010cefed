"""The server's own records of the subscriber settings that Kamailio does
not read as sent: call diversions (a ``<voice-mailbox>`` target is kept
here as the client sent it; usr_preferences gets the resolved URI) and the
phonebook (whose groups the proxy's do-not-disturb rules match callers
against)."""
from sqlalchemy import (Column, DateTime, Index, String, Table,
                        UniqueConstraint)

from .base import ident


def define(s):
    m = s.metadata
    s.sip_diversions = Table(
        'ngnpro_sip_diversions', m, ident(),
        Column('username', String(64), nullable=False),
        Column('domain', String(64), nullable=False),
        Column('cond', String(4), nullable=False),
        Column('target', String(128), nullable=False),
        Column('change_date', DateTime, nullable=False),
        UniqueConstraint('username', 'domain', 'cond',
                         name='ngnpro_sip_diversion_idx'))
    s.sip_phonebook = Table(
        'ngnpro_sip_phonebook', m, ident(),
        Column('username', String(64), nullable=False),
        Column('domain', String(64), nullable=False),
        Column('uri', String(255), nullable=False),
        Column('name', String(255), nullable=False, default=''),
        Column('group_name', String(64), nullable=False, default=''),
        Column('change_date', DateTime, nullable=False),
        UniqueConstraint('username', 'domain', 'uri',
                         name='ngnpro_sip_phonebook_idx'),
        Index('ngnpro_sip_phonebook_name_idx', 'username', 'domain', 'name'),
        Index('ngnpro_sip_phonebook_group_idx', 'username', 'domain',
              'group_name'))
