"""Voicemail boxes: the server's own record of which SIP account owns which
mailbox, and Asterisk's realtime ``voicemail`` table (contrib/ast-db-manage
revision 4da0c5f79a9c), which app_voicemail reads on every call."""
from sqlalchemy import (Column, DateTime, Enum, Integer, Numeric, String,
                        Table, UniqueConstraint)

from .base import ident

YES_NO = ('yes', 'no')


def _yes_no(name):
    return Column(name, Enum(*YES_NO, name='%s_values' % name,
                             native_enum=True, create_constraint=False),
                  nullable=True)


def define(s):
    m = s.metadata
    s.voicemail_accounts = Table(
        'ngnpro_voicemail_accounts', m, ident(),
        Column('username', String(64), nullable=False),
        Column('domain', String(64), nullable=False),
        Column('mailbox', String(80), nullable=False, unique=True),
        Column('customer', Integer, nullable=False, default=0, index=True),
        Column('reseller', Integer, nullable=False, default=0, index=True),
        Column('change_date', DateTime, nullable=False),
        UniqueConstraint('username', 'domain',
                         name='ngnpro_voicemail_account_idx'))
    s.voicemail = s.native(
        'voicemail', None,
        Column('uniqueid', Integer, primary_key=True, autoincrement=True),
        Column('context', String(80), nullable=False),
        Column('mailbox', String(80), nullable=False, index=True),
        Column('password', String(80), nullable=False),
        *[Column(c, String(80)) for c in ('fullname', 'alias', 'email',
                                           'pager')],
        _yes_no('attach'),
        Column('attachfmt', String(10)),
        Column('serveremail', String(80)),
        Column('language', String(20)),
        Column('tz', String(30)),
        _yes_no('deletevoicemail'), _yes_no('saycid'),
        _yes_no('sendvoicemail'), _yes_no('review'),
        _yes_no('tempgreetwarn'), _yes_no('operator'), _yes_no('envelope'),
        Column('sayduration', Integer),
        _yes_no('forcename'), _yes_no('forcegreetings'),
        Column('callback', String(80)), Column('dialout', String(80)),
        Column('exitcontext', String(80)), Column('maxmsg', Integer),
        Column('volgain', Numeric(5, 2)),
        *[Column(c, String(80)) for c in ('imapuser', 'imappassword',
                                           'imapserver')],
        Column('imapport', String(8)), Column('imapflags', String(80)),
        Column('stamp', DateTime))
