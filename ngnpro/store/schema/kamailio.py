"""Kamailio 5.6's own tables (utils/kamctl/mysql/*-create.sql): column names,
types and ``version`` rows are Kamailio's, so that a stock Kamailio reading
the same database uses what the server writes."""
from sqlalchemy import (Column, DateTime, Index, Integer, SmallInteger,
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

