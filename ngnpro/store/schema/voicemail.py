"""Voicemail boxes: the server's own record of which SIP account owns which
mailbox, and Asterisk's realtime ``voicemail`` table (contrib/ast-db-manage
revision 4da0c5f79a9c), which app_voicemail reads on every call."""
from sqlalchemy import (DDL, BigInteger, Boolean, Column, DateTime, Enum,
                        Index, Integer, LargeBinary, Numeric, String, Table,
                        UniqueConstraint, event)

from .base import ident

YES_NO = ('yes', 'no')
# MEDIUMBLOB on MariaDB (a plain BLOB stops at 64 KiB, a few seconds of
# audio); the request size limit is far below it.
GREETING_BYTES = 16 * 1024 * 1024 - 1


def _yes_no(name):
    return Column(name, Enum(*YES_NO, name='%s_values' % name,
                             native_enum=True, create_constraint=False),
                  nullable=True)


def define(s):
    m = s.metadata
    # One row per SIP account that has (or had) a mailbox. The row stays
    # when the mailbox is switched off (active false) and goes with the SIP
    # account, so that a number is never handed to another account while
    # its owner exists. Rights come from the SIP account itself.
    s.voicemail_accounts = Table(
        'ngnpro_voicemail_accounts', m, ident(),
        Column('username', String(64), nullable=False),
        Column('domain', String(64), nullable=False),
        Column('mailbox', String(80), nullable=False),
        Column('context', String(80), nullable=False),
        Column('active', Boolean, nullable=False, default=True),
        Column('change_date', DateTime, nullable=False),
        UniqueConstraint('username', 'domain',
                         name='ngnpro_voicemail_account_idx'),
        UniqueConstraint('mailbox', name='ngnpro_voicemail_mailbox_idx'),
        Index('ngnpro_voicemail_domain_idx', 'domain'))
    # The next generated mailbox number: one row, locked by the UPDATE that
    # takes a number, so that concurrent calls never pick the same one.
    s.voicemail_numbering = Table(
        'ngnpro_voicemail_numbering', m,
        Column('id', Integer, primary_key=True, autoincrement=False),
        Column('next_mailbox', BigInteger, nullable=False))
    # The row exists from the start: concurrent first calls creating it
    # would deadlock on MariaDB (each holds a shared lock from its duplicate
    # insert and waits for the others' to take the row lock).
    event.listen(s.voicemail_numbering, 'after_create', DDL(
        'INSERT INTO ngnpro_voicemail_numbering (id, next_mailbox) '
        'VALUES (1, 0)'))
    s.voicemail_greetings = Table(
        'ngnpro_voicemail_greetings', m, ident(),
        Column('account_id', Integer, nullable=False, unique=True),
        Column('audio', LargeBinary(GREETING_BYTES), nullable=False),
        Column('change_date', DateTime, nullable=False))
    s.voicemail = s.native(
        'voicemail', None,
        Column('uniqueid', Integer, primary_key=True, autoincrement=True),
        Column('context', String(80), nullable=False),
        Column('mailbox', String(80), nullable=False),
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
        # Never written here; read as float (no Decimal warning on SQLite).
        Column('volgain', Numeric(5, 2, asdecimal=False)),
        *[Column(c, String(80)) for c in ('imapuser', 'imappassword',
                                           'imapserver')],
        Column('imapport', String(8)), Column('imapflags', String(80)),
        Column('stamp', DateTime),
        # Asterisk's own index names (the realtime lookup is by both).
        Index('voicemail_mailbox', 'mailbox'),
        Index('voicemail_context', 'context'),
        Index('voicemail_mailbox_context', 'mailbox', 'context'),
        Index('voicemail_imapuser', 'imapuser'))
