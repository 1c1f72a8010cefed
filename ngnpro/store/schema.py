"""Tables: NGNPro's own records, and the native tables of the servers that
consume them (Kamailio 5.6), written in the same transaction.

Kamailio reads its own tables directly (spec native-schemas B1), so the
column names, types and ``version`` rows below are Kamailio's, not ours; the
table names are configurable because real deployments rename them.
"""
from sqlalchemy import (Boolean, Column, DateTime, Float, Index, Integer,
                        MetaData, SmallInteger, String, Table, Text,
                        UniqueConstraint)

# Kamailio checks these at start-up and refuses to run on a mismatch.
KAMAILIO_VERSIONS = {'subscriber': 7, 'grp': 2, 'dbaliases': 1, 'domain': 2,
                     'domain_attrs': 1, 'address': 6}
KAMAILIO_DEFAULT_NAMES = {k: k for k in KAMAILIO_VERSIONS}

_CUSTOMER_TEXT = ('address', 'billing_address')
_CUSTOMER_STRINGS = (
    'first_name', 'last_name', 'organization', 'vat_number', 'email', 'web',
    'tel', 'fax', 'mobile', 'sip', 'enum', 'postcode', 'city', 'state',
    'country', 'timezone', 'language', 'bank_account', 'billing_email',
    'company_code')


def _id():
    return Column('id', Integer, primary_key=True, autoincrement=True)


class Schema:
    """All tables of one database; Kamailio table names from the config."""

    def __init__(self, kamailio_names=None):
        names = dict(KAMAILIO_DEFAULT_NAMES, **(kamailio_names or {}))
        self.kamailio_names = names
        m = self.metadata = MetaData()

        self.customers = Table(
            'ngnpro_customers', m, _id(),
            Column('reseller', Integer, nullable=False, default=0, index=True),
            Column('impersonate', Integer, nullable=False, default=0),
            Column('username', String(64), nullable=False, unique=True),
            Column('password', String(255), nullable=False, default=''),
            *[Column(c, String(255), nullable=False, default='')
              for c in _CUSTOMER_STRINGS],
            *[Column(c, Text, nullable=True) for c in _CUSTOMER_TEXT],
            Column('balance', Float, nullable=False, default=0.0),
            Column('credit', Float, nullable=False, default=0.0),
            Column('reseller_active', Boolean, nullable=False, default=False),
            Column('change_date', DateTime, nullable=False))
        self.customer_properties = Table(
            'ngnpro_customer_properties', m, _id(),
            Column('customer_id', Integer, nullable=False),
            Column('name', String(64), nullable=False),
            Column('value', Text, nullable=True),
            Column('category', String(64), nullable=False, default=''),
            Column('permission', String(32), nullable=False, default=''),
            UniqueConstraint('customer_id', 'name',
                             name='ngnpro_customer_property_idx'))

        self.sip_domains = Table(
            'ngnpro_sip_domains', m, _id(),
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
        self.sip_accounts = Table(
            'ngnpro_sip_accounts', m, _id(),
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
                             name='ngnpro_sip_account_idx'))
        self.sip_account_properties = Table(
            'ngnpro_sip_account_properties', m, _id(),
            Column('account_id', Integer, nullable=False, index=True),
            Column('name', String(64), nullable=False),
            Column('value', Text, nullable=True))
        self.sip_account_acl = Table(
            'ngnpro_sip_account_acl', m, _id(),
            Column('account_id', Integer, nullable=False, index=True),
            Column('ip', String(64), nullable=False),
            Column('mask', Integer, nullable=False, default=32),
            Column('tag', String(64), nullable=False, default=''))
        self.sip_aliases = Table(
            'ngnpro_sip_aliases', m, _id(),
            Column('username', String(64), nullable=False),
            Column('domain', String(64), nullable=False),
            Column('target_username', String(64), nullable=False),
            Column('target_domain', String(64), nullable=False),
            Column('owner', Integer, nullable=False, default=0),
            Column('customer', Integer, nullable=False, default=0, index=True),
            Column('reseller', Integer, nullable=False, default=0, index=True),
            Column('change_date', DateTime, nullable=False),
            UniqueConstraint('username', 'domain', name='ngnpro_sip_alias_idx'),
            Index('ngnpro_sip_alias_target_idx', 'target_username',
                  'target_domain'))
        self.trusted_peers = Table(
            'ngnpro_trusted_peers', m, _id(),
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

        # Kamailio 5.6 (utils/kamctl/mysql/*-create.sql).
        self.version = Table(
            'version', m, _id(),
            Column('table_name', String(32), nullable=False, unique=True),
            Column('table_version', Integer, nullable=False, default=0))
        self.subscriber = Table(
            names['subscriber'], m, _id(),
            Column('username', String(64), nullable=False, default=''),
            Column('domain', String(64), nullable=False, default=''),
            Column('password', String(64), nullable=False, default=''),
            Column('ha1', String(128), nullable=False, default=''),
            Column('ha1b', String(128), nullable=False, default=''),
            UniqueConstraint('username', 'domain', name='account_idx'),
            Index('username_idx', 'username'))
        self.grp = Table(
            names['grp'], m, _id(),
            Column('username', String(64), nullable=False, default=''),
            Column('domain', String(64), nullable=False, default=''),
            Column('grp', String(64), nullable=False, default=''),
            Column('last_modified', DateTime, nullable=False),
            UniqueConstraint('username', 'domain', 'grp',
                             name='account_group_idx'))
        self.dbaliases = Table(
            names['dbaliases'], m, _id(),
            Column('alias_username', String(64), nullable=False, default=''),
            Column('alias_domain', String(64), nullable=False, default=''),
            Column('username', String(64), nullable=False, default=''),
            Column('domain', String(64), nullable=False, default=''),
            Index('alias_user_idx', 'alias_username'),
            Index('alias_idx', 'alias_username', 'alias_domain'),
            Index('target_idx', 'username', 'domain'))
        self.domain = Table(
            names['domain'], m, _id(),
            Column('domain', String(64), nullable=False),
            Column('did', String(64), nullable=True),
            Column('last_modified', DateTime, nullable=False),
            UniqueConstraint('domain', name='domain_idx'))
        # Not written by NGNPro, but the domain module loads it with domain.
        self.domain_attrs = Table(
            names['domain_attrs'], m, _id(),
            Column('did', String(64), nullable=False),
            Column('name', String(32), nullable=False),
            Column('type', Integer, nullable=False),
            Column('value', String(255), nullable=False),
            Column('last_modified', DateTime, nullable=False),
            Index('domain_attrs_idx', 'did', 'name'))
        self.address = Table(
            names['address'], m, _id(),
            Column('grp', Integer, nullable=False, default=1),
            Column('ip_addr', String(50), nullable=False),
            Column('mask', Integer, nullable=False, default=32),
            Column('port', SmallInteger, nullable=False, default=0),
            Column('tag', String(64), nullable=True))

    def version_rows(self):
        return [{'table_name': self.kamailio_names[k], 'table_version': v}
                for k, v in KAMAILIO_VERSIONS.items()]
