"""The schema of release 0.1.0 (the first release): customers and their
properties, SIP domains, accounts, aliases and trusted peers, and the
Kamailio 5.6 tables they are written to (subscriber, grp, dbaliases,
domain, domain_attrs, address) with their ``version`` rows.

Frozen: these definitions are the release's, not the current modules'.

Revision ID: 0001
Revises: (base)
"""
import sqlalchemy as sa
from alembic import op

from ngnpro.store.migrations.helpers import Names, add_versions, \
    create_missing

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

KAMAILIO_VERSIONS = {'subscriber': 7, 'grp': 2, 'dbaliases': 1, 'domain': 2,
                     'domain_attrs': 1, 'address': 6}


def tables(names):
    m = sa.MetaData()

    def native(key, *columns, **options):
        return names.table(m, key, *columns, **options)

    def own(name, *columns, **options):
        return sa.Table(name, m, *columns, **options)

    t = native('address',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('grp', sa.Integer(), nullable=False),
        sa.Column('ip_addr', sa.String(length=50), nullable=False),
        sa.Column('mask', sa.Integer(), nullable=False),
        sa.Column('port', sa.SmallInteger(), nullable=False),
        sa.Column('tag', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id'))
    t = native('dbaliases',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('alias_username', sa.String(length=64), nullable=False),
        sa.Column('alias_domain', sa.String(length=64), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('domain', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    sa.Index('alias_idx', t.c.alias_username, t.c.alias_domain)
    sa.Index('alias_user_idx', t.c.alias_username)
    sa.Index('target_idx', t.c.username, t.c.domain)
    t = native('domain',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('domain', sa.String(length=64), nullable=False),
        sa.Column('did', sa.String(length=64), nullable=True),
        sa.Column('last_modified', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('domain', name='domain_idx'))
    t = native('domain_attrs',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('did', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('type', sa.Integer(), nullable=False),
        sa.Column('value', sa.String(length=255), nullable=False),
        sa.Column('last_modified', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    sa.Index('domain_attrs_idx', t.c.did, t.c.name)
    t = native('grp',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('domain', sa.String(length=64), nullable=False),
        sa.Column('grp', sa.String(length=64), nullable=False),
        sa.Column('last_modified', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('username', 'domain', 'grp', name='account_group_idx'))
    t = own('ngnpro_customer_properties',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('value', sa.Text(), nullable=True),
        sa.Column('category', sa.String(length=64), nullable=False),
        sa.Column('permission', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('customer_id', 'name', name='ngnpro_customer_property_idx'))
    t = own('ngnpro_customers',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('reseller', sa.Integer(), nullable=False),
        sa.Column('impersonate', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('password', sa.String(length=255), nullable=False),
        sa.Column('first_name', sa.String(length=255), nullable=False),
        sa.Column('last_name', sa.String(length=255), nullable=False),
        sa.Column('organization', sa.String(length=255), nullable=False),
        sa.Column('vat_number', sa.String(length=255), nullable=False),
        sa.Column('email', sa.String(length=255), nullable=False),
        sa.Column('web', sa.String(length=255), nullable=False),
        sa.Column('tel', sa.String(length=255), nullable=False),
        sa.Column('fax', sa.String(length=255), nullable=False),
        sa.Column('mobile', sa.String(length=255), nullable=False),
        sa.Column('sip', sa.String(length=255), nullable=False),
        sa.Column('enum', sa.String(length=255), nullable=False),
        sa.Column('postcode', sa.String(length=255), nullable=False),
        sa.Column('city', sa.String(length=255), nullable=False),
        sa.Column('state', sa.String(length=255), nullable=False),
        sa.Column('country', sa.String(length=255), nullable=False),
        sa.Column('timezone', sa.String(length=255), nullable=False),
        sa.Column('language', sa.String(length=255), nullable=False),
        sa.Column('bank_account', sa.String(length=255), nullable=False),
        sa.Column('billing_email', sa.String(length=255), nullable=False),
        sa.Column('company_code', sa.String(length=255), nullable=False),
        sa.Column('address', sa.Text(), nullable=True),
        sa.Column('billing_address', sa.Text(), nullable=True),
        sa.Column('balance', sa.Float(), nullable=False),
        sa.Column('credit', sa.Float(), nullable=False),
        sa.Column('reseller_active', sa.Boolean(), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('username'))
    sa.Index('ix_ngnpro_customers_reseller', t.c.reseller)
    t = own('ngnpro_sip_account_acl',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=False),
        sa.Column('mask', sa.Integer(), nullable=False),
        sa.Column('tag', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    sa.Index('ix_ngnpro_sip_account_acl_account_id', t.c.account_id)
    t = own('ngnpro_sip_account_properties',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('value', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'))
    sa.Index('ix_ngnpro_sip_account_properties_account_id', t.c.account_id)
    t = own('ngnpro_sip_accounts',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('domain', sa.String(length=64), nullable=False),
        sa.Column('password', sa.String(length=255), nullable=False),
        sa.Column('first_name', sa.String(length=64), nullable=False),
        sa.Column('last_name', sa.String(length=64), nullable=False),
        sa.Column('email', sa.String(length=255), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('rpid', sa.String(length=64), nullable=False),
        sa.Column('quota', sa.Integer(), nullable=False),
        sa.Column('quickdial_prefix', sa.String(length=64), nullable=False),
        sa.Column('call_limit', sa.Integer(), nullable=False),
        sa.Column('prepaid', sa.Boolean(), nullable=False),
        sa.Column('region', sa.String(length=64), nullable=False),
        sa.Column('timeout', sa.Integer(), nullable=False),
        sa.Column('owner', sa.Integer(), nullable=False),
        sa.Column('customer', sa.Integer(), nullable=False),
        sa.Column('reseller', sa.Integer(), nullable=False),
        sa.Column('create_date', sa.DateTime(), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('username', 'domain', name='ngnpro_sip_account_idx'))
    sa.Index('ix_ngnpro_sip_accounts_change_date', t.c.change_date)
    sa.Index('ix_ngnpro_sip_accounts_customer', t.c.customer)
    sa.Index('ix_ngnpro_sip_accounts_owner', t.c.owner)
    sa.Index('ix_ngnpro_sip_accounts_reseller', t.c.reseller)
    t = own('ngnpro_sip_aliases',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('domain', sa.String(length=64), nullable=False),
        sa.Column('target_username', sa.String(length=64), nullable=False),
        sa.Column('target_domain', sa.String(length=64), nullable=False),
        sa.Column('owner', sa.Integer(), nullable=False),
        sa.Column('customer', sa.Integer(), nullable=False),
        sa.Column('reseller', sa.Integer(), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('username', 'domain', name='ngnpro_sip_alias_idx'))
    sa.Index('ix_ngnpro_sip_aliases_customer', t.c.customer)
    sa.Index('ix_ngnpro_sip_aliases_reseller', t.c.reseller)
    sa.Index('ngnpro_sip_alias_target_idx', t.c.target_username, t.c.target_domain)
    t = own('ngnpro_sip_domains',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('domain', sa.String(length=64), nullable=False),
        sa.Column('customer', sa.Integer(), nullable=False),
        sa.Column('reseller', sa.Integer(), nullable=False),
        sa.Column('certificate', sa.Text(), nullable=True),
        sa.Column('private_key', sa.Text(), nullable=True),
        sa.Column('match_ip_address', sa.String(length=255), nullable=False),
        sa.Column('match_sip_domain', sa.String(length=255), nullable=False),
        sa.Column('verify_cert', sa.Boolean(), nullable=False),
        sa.Column('require_cert', sa.Boolean(), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('domain'))
    sa.Index('ix_ngnpro_sip_domains_customer', t.c.customer)
    sa.Index('ix_ngnpro_sip_domains_reseller', t.c.reseller)
    t = own('ngnpro_trusted_peers',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('ip', sa.String(length=50), nullable=False),
        sa.Column('protocol', sa.String(length=8), nullable=False),
        sa.Column('tag', sa.String(length=64), nullable=False),
        sa.Column('description', sa.String(length=255), nullable=False),
        sa.Column('customer', sa.Integer(), nullable=False),
        sa.Column('reseller', sa.Integer(), nullable=False),
        sa.Column('owner', sa.Integer(), nullable=False),
        sa.Column('call_limit', sa.Integer(), nullable=False),
        sa.Column('msteams', sa.Boolean(), nullable=False),
        sa.Column('tenant', sa.String(length=255), nullable=False),
        sa.Column('auth_token', sa.String(length=255), nullable=False),
        sa.Column('carrier_name', sa.String(length=255), nullable=False),
        sa.Column('originator', sa.String(length=255), nullable=False),
        sa.Column('prefix', sa.String(length=64), nullable=False),
        sa.Column('strip', sa.Integer(), nullable=False),
        sa.Column('blocked', sa.Integer(), nullable=False),
        sa.Column('prepaid', sa.Boolean(), nullable=False),
        sa.Column('enum_lookup', sa.Boolean(), nullable=False),
        sa.Column('transit', sa.Boolean(), nullable=False),
        sa.Column('tags', sa.String(length=255), nullable=False),
        sa.Column('billing_id', sa.String(length=255), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ip'))
    sa.Index('ix_ngnpro_trusted_peers_reseller', t.c.reseller)
    t = native('subscriber',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('domain', sa.String(length=64), nullable=False),
        sa.Column('password', sa.String(length=64), nullable=False),
        sa.Column('ha1', sa.String(length=128), nullable=False),
        sa.Column('ha1b', sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('username', 'domain', name='account_idx'))
    sa.Index('username_idx', t.c.username)
    t = own('version',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('table_name', sa.String(length=32), nullable=False),
        sa.Column('table_version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('table_name'))
    return m


def upgrade(native_names=None):
    names = Names(native_names)
    bind = op.get_bind()
    create_missing(bind, tables(names))
    add_versions(bind, names, KAMAILIO_VERSIONS)


def downgrade(native_names=None):
    raise NotImplementedError('the first release has nothing below it')
