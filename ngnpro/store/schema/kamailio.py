"""Kamailio 5.6's own tables (utils/kamctl/mysql/*-create.sql): column names,
types and ``version`` rows are Kamailio's, so that a stock Kamailio reading
the same database uses what the server writes."""
import datetime

from sqlalchemy import (Column, DateTime, Float, Index, Integer, SmallInteger,
                        String, Table, UniqueConstraint)

from .base import ident


def define(s):
    m = s.metadata
    # Every module checks its tables' rows here at start-up.
    s.version = Table(
        'version', m, ident(),
        Column('table_name', String(32), nullable=False, unique=True),
        Column('table_version', Integer, nullable=False, default=0))
    s.subscriber = s.native(
        'subscriber', 7, ident(),
        Column('username', String(64), nullable=False, default=''),
        Column('domain', String(64), nullable=False, default=''),
        Column('password', String(64), nullable=False, default=''),
        Column('ha1', String(128), nullable=False, default=''),
        Column('ha1b', String(128), nullable=False, default=''),
        UniqueConstraint('username', 'domain', name='account_idx'),
        Index('username_idx', 'username'))
    s.grp = s.native(
        'grp', 2, ident(),
        Column('username', String(64), nullable=False, default=''),
        Column('domain', String(64), nullable=False, default=''),
        Column('grp', String(64), nullable=False, default=''),
        Column('last_modified', DateTime, nullable=False),
        UniqueConstraint('username', 'domain', 'grp',
                         name='account_group_idx'))
    s.dbaliases = s.native(
        'dbaliases', 1, ident(),
        Column('alias_username', String(64), nullable=False, default=''),
        Column('alias_domain', String(64), nullable=False, default=''),
        Column('username', String(64), nullable=False, default=''),
        Column('domain', String(64), nullable=False, default=''),
        Index('alias_user_idx', 'alias_username'),
        Index('alias_idx', 'alias_username', 'alias_domain'),
        Index('target_idx', 'username', 'domain'))
    s.domain = s.native(
        'domain', 2, ident(),
        Column('domain', String(64), nullable=False),
        Column('did', String(64), nullable=True),
        Column('last_modified', DateTime, nullable=False),
        UniqueConstraint('domain', name='domain_idx'))
    # Not written by NGNPro, but the domain module loads it with domain.
    s.domain_attrs = s.native(
        'domain_attrs', 1, ident(),
        Column('did', String(64), nullable=False),
        Column('name', String(32), nullable=False),
        Column('type', Integer, nullable=False),
        Column('value', String(255), nullable=False),
        Column('last_modified', DateTime, nullable=False),
        Index('domain_attrs_idx', 'did', 'name'))
    s.address = s.native(
        'address', 6, ident(),
        Column('grp', Integer, nullable=False, default=1),
        Column('ip_addr', String(50), nullable=False),
        Column('mask', Integer, nullable=False, default=32),
        Column('port', SmallInteger, nullable=False, default=0),
        Column('tag', String(64), nullable=True))
    # usrloc writes registrations here with db_mode 1-3; read for device
    # locations and online counts.
    s.location = s.native(
        'location', 9, ident(),
        Column('ruid', String(64), nullable=False, default=''),
        Column('username', String(64), nullable=False, default=''),
        Column('domain', String(64), nullable=True),
        Column('contact', String(512), nullable=False, default=''),
        Column('received', String(128), nullable=True),
        Column('path', String(512), nullable=True),
        Column('expires', DateTime, nullable=False,
               default=datetime.datetime(2030, 5, 28, 21, 32, 15)),
        Column('q', Float, nullable=False, default=1.0),
        Column('callid', String(255), nullable=False,
               default='Default-Call-ID'),
        Column('cseq', Integer, nullable=False, default=1),
        Column('last_modified', DateTime, nullable=False,
               default=datetime.datetime(2000, 1, 1, 0, 0, 1)),
        Column('flags', Integer, nullable=False, default=0),
        Column('cflags', Integer, nullable=False, default=0),
        Column('user_agent', String(255), nullable=False, default=''),
        Column('socket', String(64), nullable=True),
        Column('methods', Integer, nullable=True),
        Column('instance', String(255), nullable=True),
        Column('reg_id', Integer, nullable=False, default=0),
        Column('server_id', Integer, nullable=False, default=0),
        Column('connection_id', Integer, nullable=False, default=0),
        Column('keepalive', Integer, nullable=False, default=0),
        Column('partition', Integer, nullable=False, default=0),
        UniqueConstraint('ruid', name='ruid_idx'),
        Index('account_contact_idx', 'username', 'domain', 'contact'),
        Index('expires_idx', 'expires'),
        Index('tcpcon_idx', 'connection_id'),
        Index('connection_idx', 'server_id', 'connection_id'))
