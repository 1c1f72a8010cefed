"""SIP domains, accounts (with properties and ACL), aliases and trusted
peers: the server's own records behind the SipPort."""
from sqlalchemy import (Boolean, Column, DateTime, Index, Integer, String,
                        Table, Text, UniqueConstraint)

from .base import ident


def define(s):
    m = s.metadata
    s.sip_domains = Table(
        'ngnpro_sip_domains', m, ident(),
        Column('domain', String(64), nullable=False, unique=True),
        Column('customer', Integer, nullable=False, default=0, index=True),
        Column('reseller', Integer, nullable=False, default=0, index=True),
        Column('certificate', Text, nullable=True),
        Column('private_key', Text, nullable=True),
        Column('match_ip_address', String(255), nullable=False, default=''),
        Column('match_sip_domain', String(255), nullable=False, default=''),
        Column('verify_cert', Boolean, nullable=False, default=False),
        Column('require_cert', Boolean, nullable=False, default=False),
        Column('change_date', DateTime, nullable=False))
    s.sip_accounts = Table(
        'ngnpro_sip_accounts', m, ident(),
        Column('username', String(64), nullable=False),
        Column('domain', String(64), nullable=False),
        Column('password', String(255), nullable=False, default=''),
        Column('first_name', String(64), nullable=False, default=''),
        Column('last_name', String(64), nullable=False, default=''),
        Column('email', String(255), nullable=False, default=''),
        Column('timezone', String(64), nullable=False, default=''),
        Column('rpid', String(64), nullable=False, default=''),
        Column('quota', Integer, nullable=False, default=0),
        Column('quickdial_prefix', String(64), nullable=False, default=''),
        Column('call_limit', Integer, nullable=False, default=0),
        Column('prepaid', Boolean, nullable=False, default=False),
        Column('region', String(64), nullable=False, default=''),
        Column('timeout', Integer, nullable=False, default=35),
        Column('owner', Integer, nullable=False, default=0, index=True),
        Column('customer', Integer, nullable=False, default=0, index=True),
        Column('reseller', Integer, nullable=False, default=0, index=True),
        Column('create_date', DateTime, nullable=False),
        Column('change_date', DateTime, nullable=False, index=True),
        UniqueConstraint('username', 'domain',
                         name='ngnpro_sip_account_idx'),
        # Per-domain counts (Network.getStatistics) scan this, not the rows.
        Index('ngnpro_sip_account_domain_idx', 'domain'),
        # getAccounts by username: InnoDB's index carries the id, so it
        # serves ORDER BY username, id without a sort of the matches.
        Index('ngnpro_sip_account_username_idx', 'username'))
    s.sip_account_properties = Table(
        'ngnpro_sip_account_properties', m, ident(),
        Column('account_id', Integer, nullable=False, index=True),
        Column('name', String(64), nullable=False),
        Column('value', Text, nullable=True))
    s.sip_account_acl = Table(
        'ngnpro_sip_account_acl', m, ident(),
        Column('account_id', Integer, nullable=False, index=True),
        Column('ip', String(64), nullable=False),
        Column('mask', Integer, nullable=False, default=32),
        Column('tag', String(64), nullable=False, default=''))
    s.sip_aliases = Table(
        'ngnpro_sip_aliases', m, ident(),
        Column('username', String(64), nullable=False),
        Column('domain', String(64), nullable=False),
        Column('target_username', String(64), nullable=False),
        Column('target_domain', String(64), nullable=False),
        Column('owner', Integer, nullable=False, default=0),
        Column('customer', Integer, nullable=False, default=0, index=True),
        Column('reseller', Integer, nullable=False, default=0, index=True),
        Column('change_date', DateTime, nullable=False),
        UniqueConstraint('username', 'domain', name='ngnpro_sip_alias_idx'),
        Index('ngnpro_sip_alias_domain_idx', 'domain'),
        Index('ngnpro_sip_alias_target_idx', 'target_username',
              'target_domain'))
    s.trusted_peers = Table(
        'ngnpro_trusted_peers', m, ident(),
        Column('ip', String(50), nullable=False, unique=True),
        Column('protocol', String(8), nullable=False, default='any'),
        Column('tag', String(64), nullable=False, default=''),
        Column('description', String(255), nullable=False, default=''),
        Column('customer', Integer, nullable=False, default=0),
        Column('reseller', Integer, nullable=False, default=0, index=True),
        Column('owner', Integer, nullable=False, default=0),
        Column('call_limit', Integer, nullable=False, default=0),
        Column('msteams', Boolean, nullable=False, default=False),
        Column('tenant', String(255), nullable=False, default=''),
        Column('auth_token', String(255), nullable=False, default=''),
        Column('carrier_name', String(255), nullable=False, default=''),
        Column('originator', String(255), nullable=False, default=''),
        Column('prefix', String(64), nullable=False, default=''),
        Column('strip', Integer, nullable=False, default=0),
        Column('blocked', Integer, nullable=False, default=0),
        Column('prepaid', Boolean, nullable=False, default=False),
        Column('enum_lookup', Boolean, nullable=False, default=False),
        Column('transit', Boolean, nullable=False, default=False),
        Column('tags', String(255), nullable=False, default=''),
        Column('billing_id', String(255), nullable=False, default=''),
        Column('change_date', DateTime, nullable=False))

