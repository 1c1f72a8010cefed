"""From release 0.1.0 to the schema of the operations release: the tables
of every port built since (PSTN routing and Kamailio's lcr tables, prepaid
and rating in CDRTool's tables, subscriber services in Kamailio's avpops,
userblocklist, acc and siptrace tables, voicemail with Asterisk's realtime
table, presence with Kamailio's presence tables, DNS and ENUM with
PowerDNS's domains and records), the credit usage counters and the audit
journal, the queue of reloads not sent yet, CDRTool's provisioning
statistics tables; per-domain indexes of accounts and aliases, the
accounts' username index; Kamailio's
``version`` rows of the new native tables. No column of 0.1.0 changed.

Drafted with Alembic's autogenerate (the 0.1.0 schema against the models
of this release), reviewed and frozen here: later changes of the models
come with revisions of their own.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from ngnpro.store.migrations.helpers import Names, add_versions, \
    create_indexes, create_missing

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# DECIMAL(10,4) money; SQLite keeps it as canonical text.
MONEY = sa.Numeric(10, 4).with_variant(sa.String(20), 'sqlite')

KAMAILIO_VERSIONS = {
    'location': 9, 'usr_preferences': 2, 'userblocklist': 1,
    'globalblocklist': 1, 'acc': 5, 'sip_trace': 4, 'lcr_gw': 3,
    'lcr_rule_target': 1, 'lcr_rule': 3, 'presentity': 5,
    'active_watchers': 12, 'watchers': 3, 'xcap': 4}


def YES_NO(name):
    return sa.Enum('yes', 'no', name=name, native_enum=True,
                   create_constraint=False)


def tables(names):
    m = sa.MetaData()

    def native(key, *columns, **options):
        return names.table(m, key, *columns, **options)

    def own(name, *columns, **options):
        return sa.Table(name, m, *columns, **options)

    t = native('acc',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('from_tag', sa.String(length=128), nullable=False),
        sa.Column('to_tag', sa.String(length=128), nullable=False),
        sa.Column('callid', sa.String(length=255), nullable=False),
        sa.Column('sip_code', sa.String(length=3), nullable=False),
        sa.Column('sip_reason', sa.String(length=128), nullable=False),
        sa.Column('time', sa.DateTime(), nullable=False),
        sa.Column('src_user', sa.String(length=64), nullable=True),
        sa.Column('src_domain', sa.String(length=128), nullable=True),
        sa.Column('src_ip', sa.String(length=64), nullable=True),
        sa.Column('dst_ouser', sa.String(length=64), nullable=True),
        sa.Column('dst_user', sa.String(length=64), nullable=True),
        sa.Column('dst_domain', sa.String(length=128), nullable=True),
        sa.Column('proxy_ip', sa.String(length=64), nullable=True),
        sa.Column('media', sa.String(length=64), nullable=True),
        sa.Column('from_header', sa.String(length=255), nullable=True),
        sa.Column('price', MONEY, server_default=sa.text("'0'"), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    sa.Index('acc_dst_idx', t.c.dst_user, t.c.dst_domain, t.c.method, t.c.time)
    sa.Index('acc_src_idx', t.c.src_user, t.c.src_domain, t.c.method, t.c.time)
    sa.Index('callid_idx', t.c.callid)
    t = native('active_watchers',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('presentity_uri', sa.String(length=255), nullable=False),
        sa.Column('watcher_username', sa.String(length=64), nullable=False),
        sa.Column('watcher_domain', sa.String(length=64), nullable=False),
        sa.Column('to_user', sa.String(length=64), nullable=False),
        sa.Column('to_domain', sa.String(length=64), nullable=False),
        sa.Column('event', sa.String(length=64), nullable=False),
        sa.Column('event_id', sa.String(length=64), nullable=True),
        sa.Column('to_tag', sa.String(length=128), nullable=False),
        sa.Column('from_tag', sa.String(length=128), nullable=False),
        sa.Column('callid', sa.String(length=255), nullable=False),
        sa.Column('local_cseq', sa.Integer(), nullable=False),
        sa.Column('remote_cseq', sa.Integer(), nullable=False),
        sa.Column('contact', sa.String(length=255), nullable=False),
        sa.Column('record_route', sa.Text(), nullable=True),
        sa.Column('expires', sa.Integer(), nullable=False),
        sa.Column('status', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=64), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('socket_info', sa.String(length=64), nullable=False),
        sa.Column('local_contact', sa.String(length=255), nullable=False),
        sa.Column('from_user', sa.String(length=64), nullable=False),
        sa.Column('from_domain', sa.String(length=64), nullable=False),
        sa.Column('updated', sa.Integer(), nullable=False),
        sa.Column('updated_winfo', sa.Integer(), nullable=False),
        sa.Column('flags', sa.Integer(), nullable=False),
        sa.Column('user_agent', sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('callid', 'to_tag', 'from_tag', name='active_watchers_idx'))
    sa.Index('active_watchers_expires', t.c.expires)
    sa.Index('active_watchers_pres', t.c.presentity_uri, t.c.event)
    sa.Index('updated_idx', t.c.updated)
    sa.Index('updated_winfo_idx', t.c.updated_winfo, t.c.presentity_uri)
    t = native('billing_customers',
        sa.Column('id', sa.BigInteger().with_variant(mysql.BIGINT(unsigned=True), 'mariadb').with_variant(mysql.BIGINT(unsigned=True), 'mysql').with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('reseller_id', sa.Integer().with_variant(mysql.INTEGER(unsigned=True), 'mariadb').with_variant(mysql.INTEGER(unsigned=True), 'mysql'), server_default='0', nullable=False),
        sa.Column('gateway', sa.String(length=15), server_default='', nullable=False),
        sa.Column('domain', sa.String(length=64), server_default='', nullable=False),
        sa.Column('subscriber', sa.String(length=128), server_default='', nullable=False),
        sa.Column('profile_name1', sa.String(length=25), server_default='', nullable=False),
        sa.Column('profile_name1_alt', sa.String(length=25), server_default='', nullable=False),
        sa.Column('profile_name2', sa.String(length=25), server_default='', nullable=False),
        sa.Column('profile_name2_alt', sa.String(length=25), server_default='', nullable=False),
        sa.Column('timezone', sa.String(length=128), server_default='', nullable=False),
        sa.Column('increment', sa.SmallInteger().with_variant(mysql.SMALLINT(unsigned=True), 'mariadb').with_variant(mysql.SMALLINT(unsigned=True), 'mysql'), server_default='0', nullable=False),
        sa.Column('min_duration', sa.SmallInteger().with_variant(mysql.SMALLINT(unsigned=True), 'mariadb').with_variant(mysql.SMALLINT(unsigned=True), 'mysql'), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('gateway', 'domain', 'subscriber', name='cust_idx'))
    sa.Index('billing_customers_domain', t.c.domain)
    sa.Index('reseller_idx', t.c.reseller_id)
    sa.Index('sub_idx', t.c.subscriber)
    t = native('domains',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('master', sa.String(length=128), nullable=True),
        sa.Column('last_check', sa.Integer(), nullable=True),
        sa.Column('type', sa.String(length=8), nullable=False),
        sa.Column('notified_serial', sa.Integer().with_variant(mysql.INTEGER(unsigned=True), 'mysql'), nullable=True),
        sa.Column('account', sa.String(length=40).with_variant(mysql.VARCHAR(charset='utf8', length=40), 'mysql'), nullable=True),
        sa.Column('options', sa.String(length=64000), nullable=True),
        sa.Column('catalog', sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        mysql_charset='latin1',
        mysql_engine='InnoDB')
    sa.Index('catalog_idx', t.c.catalog)
    sa.Index('name_index', t.c.name, unique=True)
    t = native('globalblocklist',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('prefix', sa.String(length=64), nullable=False),
        sa.Column('allowlist', sa.SmallInteger(), nullable=False),
        sa.Column('description', sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint('id'))
    sa.Index('globalblocklist_idx', t.c.prefix)
    t = native('lcr_gw',
        sa.Column('id', sa.Integer().with_variant(mysql.INTEGER(unsigned=True), 'mariadb').with_variant(mysql.INTEGER(unsigned=True), 'mysql'), autoincrement=True, nullable=False),
        sa.Column('lcr_id', sa.SmallInteger().with_variant(mysql.SMALLINT(unsigned=True), 'mariadb').with_variant(mysql.SMALLINT(unsigned=True), 'mysql'), nullable=False),
        sa.Column('gw_name', sa.String(length=128), nullable=True),
        sa.Column('ip_addr', sa.String(length=50), nullable=True),
        sa.Column('hostname', sa.String(length=64), nullable=True),
        sa.Column('port', sa.SmallInteger().with_variant(mysql.SMALLINT(unsigned=True), 'mariadb').with_variant(mysql.SMALLINT(unsigned=True), 'mysql'), nullable=True),
        sa.Column('params', sa.String(length=64), nullable=True),
        sa.Column('uri_scheme', sa.SmallInteger().with_variant(mysql.TINYINT(unsigned=True), 'mariadb').with_variant(mysql.TINYINT(unsigned=True), 'mysql'), nullable=True),
        sa.Column('transport', sa.SmallInteger().with_variant(mysql.TINYINT(unsigned=True), 'mariadb').with_variant(mysql.TINYINT(unsigned=True), 'mysql'), nullable=True),
        sa.Column('strip', sa.SmallInteger().with_variant(mysql.TINYINT(unsigned=True), 'mariadb').with_variant(mysql.TINYINT(unsigned=True), 'mysql'), nullable=True),
        sa.Column('prefix', sa.String(length=16), nullable=True),
        sa.Column('tag', sa.String(length=64), nullable=True),
        sa.Column('flags', sa.Integer().with_variant(mysql.INTEGER(unsigned=True), 'mariadb').with_variant(mysql.INTEGER(unsigned=True), 'mysql'), nullable=False),
        sa.Column('defunct', sa.Integer().with_variant(mysql.INTEGER(unsigned=True), 'mariadb').with_variant(mysql.INTEGER(unsigned=True), 'mysql'), nullable=True),
        sa.PrimaryKeyConstraint('id'))
    sa.Index('lcr_id_idx', t.c.lcr_id)
    t = native('lcr_rule',
        sa.Column('id', sa.Integer().with_variant(mysql.INTEGER(unsigned=True), 'mariadb').with_variant(mysql.INTEGER(unsigned=True), 'mysql'), autoincrement=True, nullable=False),
        sa.Column('lcr_id', sa.SmallInteger().with_variant(mysql.SMALLINT(unsigned=True), 'mariadb').with_variant(mysql.SMALLINT(unsigned=True), 'mysql'), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=True),
        sa.Column('from_uri', sa.String(length=64), nullable=True),
        sa.Column('request_uri', sa.String(length=64), nullable=True),
        sa.Column('mt_tvalue', sa.String(length=128), nullable=True),
        sa.Column('stopper', sa.Integer().with_variant(mysql.INTEGER(unsigned=True), 'mariadb').with_variant(mysql.INTEGER(unsigned=True), 'mysql'), nullable=False),
        sa.Column('enabled', sa.Integer().with_variant(mysql.INTEGER(unsigned=True), 'mariadb').with_variant(mysql.INTEGER(unsigned=True), 'mysql'), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('lcr_id', 'prefix', 'from_uri', name='lcr_id_prefix_from_uri_idx'))
    t = native('lcr_rule_target',
        sa.Column('id', sa.Integer().with_variant(mysql.INTEGER(unsigned=True), 'mariadb').with_variant(mysql.INTEGER(unsigned=True), 'mysql'), autoincrement=True, nullable=False),
        sa.Column('lcr_id', sa.SmallInteger().with_variant(mysql.SMALLINT(unsigned=True), 'mariadb').with_variant(mysql.SMALLINT(unsigned=True), 'mysql'), nullable=False),
        sa.Column('rule_id', sa.Integer().with_variant(mysql.INTEGER(unsigned=True), 'mariadb').with_variant(mysql.INTEGER(unsigned=True), 'mysql'), nullable=False),
        sa.Column('gw_id', sa.Integer().with_variant(mysql.INTEGER(unsigned=True), 'mariadb').with_variant(mysql.INTEGER(unsigned=True), 'mysql'), nullable=False),
        sa.Column('priority', sa.SmallInteger().with_variant(mysql.TINYINT(unsigned=True), 'mariadb').with_variant(mysql.TINYINT(unsigned=True), 'mysql'), nullable=False),
        sa.Column('weight', sa.Integer().with_variant(mysql.INTEGER(unsigned=True), 'mariadb').with_variant(mysql.INTEGER(unsigned=True), 'mysql'), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('rule_id', 'gw_id', name='rule_id_gw_id_idx'))
    sa.Index('lcr_rule_target_lcr_id_idx', t.c.lcr_id)
    t = native('location',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('ruid', sa.String(length=64), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('domain', sa.String(length=64), nullable=True),
        sa.Column('contact', sa.String(length=512), nullable=False),
        sa.Column('received', sa.String(length=128), nullable=True),
        sa.Column('path', sa.String(length=512), nullable=True),
        sa.Column('expires', sa.DateTime(), nullable=False),
        sa.Column('q', sa.Float(), nullable=False),
        sa.Column('callid', sa.String(length=255), nullable=False),
        sa.Column('cseq', sa.Integer(), nullable=False),
        sa.Column('last_modified', sa.DateTime(), nullable=False),
        sa.Column('flags', sa.Integer(), nullable=False),
        sa.Column('cflags', sa.Integer(), nullable=False),
        sa.Column('user_agent', sa.String(length=255), nullable=False),
        sa.Column('socket', sa.String(length=64), nullable=True),
        sa.Column('methods', sa.Integer(), nullable=True),
        sa.Column('instance', sa.String(length=255), nullable=True),
        sa.Column('reg_id', sa.Integer(), nullable=False),
        sa.Column('server_id', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=False),
        sa.Column('keepalive', sa.Integer(), nullable=False),
        sa.Column('partition', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ruid', name='ruid_idx'))
    sa.Index('account_contact_idx', t.c.username, t.c.domain, t.c.contact)
    sa.Index('connection_idx', t.c.server_id, t.c.connection_id)
    sa.Index('expires_idx', t.c.expires)
    sa.Index('tcpcon_idx', t.c.connection_id)
    t = own('ngnpro_credit_usage',
        sa.Column('owner', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('credit', sa.String(length=32), nullable=False),
        sa.Column('used', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('owner', 'credit'))
    t = own('ngnpro_dns_fancy_records',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('zone_id', sa.Integer(), nullable=False),
        sa.Column('zone', sa.String(length=253), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('type', sa.String(length=10), nullable=False),
        sa.Column('value', sa.String(length=4096), nullable=False),
        sa.Column('ttl', sa.Integer(), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('owner', sa.Integer(), nullable=False),
        sa.Column('customer', sa.Integer(), nullable=False),
        sa.Column('reseller', sa.Integer(), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('zone_id', 'name', 'type', name='ngnpro_dns_fancy_record_idx'))
    sa.Index('ix_ngnpro_dns_fancy_records_change_date', t.c.change_date)
    sa.Index('ix_ngnpro_dns_fancy_records_customer', t.c.customer)
    sa.Index('ix_ngnpro_dns_fancy_records_name', t.c.name)
    sa.Index('ix_ngnpro_dns_fancy_records_owner', t.c.owner)
    sa.Index('ix_ngnpro_dns_fancy_records_reseller', t.c.reseller)
    sa.Index('ix_ngnpro_dns_fancy_records_type', t.c.type)
    sa.Index('ix_ngnpro_dns_fancy_records_zone', t.c.zone)
    sa.Index('ngnpro_dns_fancy_value_idx', t.c.value, mysql_length=255)
    t = own('ngnpro_dns_records',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('zone_id', sa.Integer(), nullable=False),
        sa.Column('zone', sa.String(length=253), nullable=False),
        sa.Column('name', sa.String(length=253), nullable=False),
        sa.Column('type', sa.String(length=10), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('value_hash', sa.String(length=40), nullable=False),
        sa.Column('ttl', sa.Integer(), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('pdns_id', sa.BigInteger(), nullable=False),
        sa.Column('owner', sa.Integer(), nullable=False),
        sa.Column('customer', sa.Integer(), nullable=False),
        sa.Column('reseller', sa.Integer(), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('zone_id', 'name', 'type', 'value_hash', name='ngnpro_dns_record_idx'))
    sa.Index('ix_ngnpro_dns_records_change_date', t.c.change_date)
    sa.Index('ix_ngnpro_dns_records_customer', t.c.customer)
    sa.Index('ix_ngnpro_dns_records_name', t.c.name)
    sa.Index('ix_ngnpro_dns_records_owner', t.c.owner)
    sa.Index('ix_ngnpro_dns_records_reseller', t.c.reseller)
    sa.Index('ix_ngnpro_dns_records_type', t.c.type)
    sa.Index('ix_ngnpro_dns_records_zone', t.c.zone)
    sa.Index('ngnpro_dns_record_value_idx', t.c.value, mysql_length=255)
    t = own('ngnpro_dns_zones',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('name', sa.String(length=253), nullable=False),
        sa.Column('domain_id', sa.Integer(), nullable=False),
        sa.Column('ttl', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=255), nullable=False),
        sa.Column('serial', sa.BigInteger(), nullable=False),
        sa.Column('refresh', sa.Integer(), nullable=False),
        sa.Column('retry', sa.Integer(), nullable=False),
        sa.Column('expire', sa.Integer(), nullable=False),
        sa.Column('minimum', sa.Integer(), nullable=False),
        sa.Column('nameservers', sa.Text(), nullable=False),
        sa.Column('info', sa.String(length=255), nullable=False),
        sa.Column('customer', sa.Integer(), nullable=False),
        sa.Column('reseller', sa.Integer(), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'))
    sa.Index('ix_ngnpro_dns_zones_change_date', t.c.change_date)
    sa.Index('ix_ngnpro_dns_zones_customer', t.c.customer)
    sa.Index('ix_ngnpro_dns_zones_info', t.c.info)
    sa.Index('ix_ngnpro_dns_zones_reseller', t.c.reseller)
    t = own('ngnpro_enum_mappings',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('number_id', sa.Integer(), nullable=False),
        sa.Column('type', sa.String(length=64), nullable=False),
        sa.Column('mapto', sa.String(length=255), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('ttl', sa.Integer(), nullable=False),
        sa.Column('pdns_id', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    sa.Index('ix_ngnpro_enum_mappings_mapto', t.c.mapto)
    sa.Index('ix_ngnpro_enum_mappings_number_id', t.c.number_id)
    sa.Index('ngnpro_enum_mapping_type_idx', t.c.type, t.c.mapto)
    t = own('ngnpro_enum_numbers',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('number', sa.String(length=32), nullable=False),
        sa.Column('tld', sa.String(length=253), nullable=False),
        sa.Column('range_id', sa.Integer(), nullable=False),
        sa.Column('info', sa.String(length=255), nullable=False),
        sa.Column('owner', sa.Integer(), nullable=False),
        sa.Column('customer', sa.Integer(), nullable=False),
        sa.Column('reseller', sa.Integer(), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number', 'tld', name='ngnpro_enum_number_idx'))
    sa.Index('ix_ngnpro_enum_numbers_change_date', t.c.change_date)
    sa.Index('ix_ngnpro_enum_numbers_customer', t.c.customer)
    sa.Index('ix_ngnpro_enum_numbers_owner', t.c.owner)
    sa.Index('ix_ngnpro_enum_numbers_range_id', t.c.range_id)
    sa.Index('ix_ngnpro_enum_numbers_reseller', t.c.reseller)
    sa.Index('ix_ngnpro_enum_numbers_tld', t.c.tld)
    t = own('ngnpro_enum_ranges',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('prefix', sa.String(length=32), nullable=False),
        sa.Column('tld', sa.String(length=253), nullable=False),
        sa.Column('zone', sa.String(length=253), nullable=False),
        sa.Column('domain_id', sa.Integer(), nullable=False),
        sa.Column('ttl', sa.Integer(), nullable=False),
        sa.Column('min_digits', sa.Integer(), nullable=False),
        sa.Column('max_digits', sa.Integer(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('serial', sa.BigInteger(), nullable=False),
        sa.Column('nameservers', sa.Text(), nullable=False),
        sa.Column('info', sa.String(length=255), nullable=False),
        sa.Column('customer', sa.Integer(), nullable=False),
        sa.Column('reseller', sa.Integer(), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('prefix', 'tld', name='ngnpro_enum_range_idx'),
        sa.UniqueConstraint('zone'))
    sa.Index('ix_ngnpro_enum_ranges_change_date', t.c.change_date)
    sa.Index('ix_ngnpro_enum_ranges_customer', t.c.customer)
    sa.Index('ix_ngnpro_enum_ranges_info', t.c.info)
    sa.Index('ix_ngnpro_enum_ranges_reseller', t.c.reseller)
    sa.Index('ix_ngnpro_enum_ranges_tld', t.c.tld)
    t = own('ngnpro_journal',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('date', sa.DateTime(), nullable=False),
        sa.Column('principal', sa.String(length=80), nullable=False),
        sa.Column('impersonated', sa.Integer(), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('operation', sa.String(length=80), nullable=False),
        sa.Column('record', sa.String(length=255), nullable=False),
        sa.Column('owners', sa.String(length=255), nullable=False),
        sa.Column('before', sa.Text(), nullable=False),
        sa.Column('after', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    sa.Index('ix_ngnpro_journal_date', t.c.date)
    sa.Index('ix_ngnpro_journal_operation', t.c.operation)
    sa.Index('ix_ngnpro_journal_principal', t.c.principal)
    sa.Index('ix_ngnpro_journal_record', t.c.record)
    t = own('ngnpro_lcr_instances',
        sa.Column('lcr_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('reseller', sa.Integer(), nullable=False),
        sa.Column('serial', sa.Integer(), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('lcr_id'),
        sa.UniqueConstraint('reseller'))
    t = own('ngnpro_pending_reloads',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('digest', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('target', sa.String(length=255), nullable=False),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('argument', sa.Text(), nullable=False),
        sa.Column('created', sa.BigInteger(), nullable=False),
        sa.Column('next_try', sa.BigInteger(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('digest'))
    sa.Index('ix_ngnpro_pending_reloads_next_try', t.c.next_try)
    t = own('ngnpro_pstn_carriers',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('customer', sa.Integer(), nullable=False),
        sa.Column('reseller', sa.Integer(), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('reseller', 'name', name='ngnpro_pstn_carrier_idx'))
    sa.Index('ngnpro_pstn_carrier_customer_idx', t.c.customer)
    sa.Index('ngnpro_pstn_carrier_date_idx', t.c.change_date)
    sa.Index('ngnpro_pstn_carrier_name_idx', t.c.name)
    t = own('ngnpro_pstn_gateway_rules',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('gateway_id', sa.Integer(), nullable=False),
        sa.Column('gateway', sa.String(length=64), nullable=False),
        sa.Column('carrier_id', sa.Integer(), nullable=False),
        sa.Column('carrier', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('strip', sa.Integer(), nullable=False),
        sa.Column('prepend', sa.String(length=16), nullable=False),
        sa.Column('min_length', sa.Integer(), nullable=False),
        sa.Column('max_length', sa.Integer(), nullable=False),
        sa.Column('customer', sa.Integer(), nullable=False),
        sa.Column('reseller', sa.Integer(), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    sa.Index('ngnpro_pstn_rule_carrier_id_idx', t.c.carrier_id)
    sa.Index('ngnpro_pstn_rule_carrier_idx', t.c.carrier)
    sa.Index('ngnpro_pstn_rule_customer_idx', t.c.customer)
    sa.Index('ngnpro_pstn_rule_date_idx', t.c.change_date)
    sa.Index('ngnpro_pstn_rule_gateway_id_idx', t.c.gateway_id)
    sa.Index('ngnpro_pstn_rule_gateway_idx', t.c.gateway)
    sa.Index('ngnpro_pstn_rule_prefix_idx', t.c.prefix)
    sa.Index('ngnpro_pstn_rule_reseller_idx', t.c.reseller)
    t = own('ngnpro_pstn_gateways',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('carrier_id', sa.Integer(), nullable=False),
        sa.Column('carrier', sa.String(length=64), nullable=False),
        sa.Column('transport', sa.String(length=8), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=False),
        sa.Column('port', sa.Integer(), nullable=False),
        sa.Column('customer', sa.Integer(), nullable=False),
        sa.Column('reseller', sa.Integer(), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('reseller', 'name', name='ngnpro_pstn_gateway_idx'))
    sa.Index('ngnpro_pstn_gateway_carrier_idx', t.c.carrier_id)
    sa.Index('ngnpro_pstn_gateway_customer_idx', t.c.customer)
    sa.Index('ngnpro_pstn_gateway_date_idx', t.c.change_date)
    sa.Index('ngnpro_pstn_gateway_ip_idx', t.c.ip)
    sa.Index('ngnpro_pstn_gateway_name_idx', t.c.name)
    t = own('ngnpro_pstn_routes',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('carrier_id', sa.Integer(), nullable=False),
        sa.Column('carrier', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('originator', sa.String(length=64), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('customer', sa.Integer(), nullable=False),
        sa.Column('reseller', sa.Integer(), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('reseller', 'prefix', 'originator', 'carrier_id', name='ngnpro_pstn_route_idx'))
    sa.Index('ngnpro_pstn_route_carrier_idx', t.c.carrier_id)
    sa.Index('ngnpro_pstn_route_customer_idx', t.c.customer)
    sa.Index('ngnpro_pstn_route_date_idx', t.c.change_date)
    sa.Index('ngnpro_pstn_route_prefix_idx', t.c.prefix)
    sa.Index('ngnpro_pstn_route_priority_idx', t.c.priority)
    t = own('ngnpro_sip_diversions',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('domain', sa.String(length=64), nullable=False),
        sa.Column('cond', sa.String(length=4), nullable=False),
        sa.Column('target', sa.String(length=128), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('username', 'domain', 'cond', name='ngnpro_sip_diversion_idx'))
    t = own('ngnpro_sip_phonebook',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('domain', sa.String(length=64), nullable=False),
        sa.Column('uri', sa.String(length=255), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('group_name', sa.String(length=64), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('username', 'domain', 'uri', name='ngnpro_sip_phonebook_idx'))
    sa.Index('ngnpro_sip_phonebook_group_idx', t.c.username, t.c.domain, t.c.group_name)
    sa.Index('ngnpro_sip_phonebook_name_idx', t.c.username, t.c.domain, t.c.name)
    t = own('ngnpro_voicemail_accounts',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('domain', sa.String(length=64), nullable=False),
        sa.Column('mailbox', sa.String(length=80), nullable=False),
        sa.Column('context', sa.String(length=80), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('mailbox', name='ngnpro_voicemail_mailbox_idx'),
        sa.UniqueConstraint('username', 'domain', name='ngnpro_voicemail_account_idx'))
    sa.Index('ngnpro_voicemail_domain_idx', t.c.domain)
    t = own('ngnpro_voicemail_greetings',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('audio', sa.LargeBinary(length=16777215), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('account_id'))
    t = own('ngnpro_voicemail_numbering',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('next_mailbox', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    # CDRTool's provisioning statistics (ngnpro.statistics), in the
    # server's own database (the default [statistics] url).
    for name in ('ngnpro_logs', 'ngnpro_logs_summary'):
        t = own(name,
            sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
            sa.Column('date', sa.DateTime(), nullable=False),
            sa.Column('total', sa.Integer(), nullable=False),
            sa.Column('total_time', sa.Float(precision=53), nullable=False),
            sa.PrimaryKeyConstraint('id'))
        sa.Index('ix_%s_date' % name, t.c.date)
    for name, unique in (('ngnpro_logs_functions', True),
                         ('ngnpro_logs_functions_history', False)):
        t = own(name,
            sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
            sa.Column('date', sa.DateTime(), nullable=False),
            sa.Column('function', sa.String(length=128), nullable=False),
            sa.Column('ip', sa.String(length=64), nullable=False),
            sa.Column('total', sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint('id'))
        sa.Index(name + '_function', t.c.function)
        if unique:
            sa.UniqueConstraint(t.c.date, t.c.function, t.c.ip,
                                name=name + '_key')
        else:
            sa.Index(name + '_date', t.c.date)
    t = native('prepaid',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('reseller_id', sa.Integer(), nullable=False),
        sa.Column('account', sa.String(length=255), nullable=False),
        sa.Column('balance', MONEY, server_default=sa.text("'0'"), nullable=False),
        sa.Column('change_date', sa.DateTime(), nullable=False),
        sa.Column('active_sessions', sa.Text(), nullable=False),
        sa.Column('session_counter', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('max_sessions', sa.Integer(), server_default=sa.text('1'), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('account', name='acc_id'))
    sa.Index('prepaid_reseller_idx', t.c.reseller_id)
    t = native('prepaid_cards',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('reseller_id', sa.Integer(), nullable=False),
        sa.Column('batch', sa.String(length=255), nullable=False),
        sa.Column('number', sa.String(length=64), nullable=False),
        sa.Column('value', MONEY, server_default=sa.text("'0'"), nullable=True),
        sa.Column('blocked', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
        sa.Column('date_active', sa.Date(), nullable=True),
        sa.Column('date_batch', sa.Date(), nullable=True),
        sa.Column('service', sa.String(length=255), server_default=sa.text("'sip'"), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number', name='card_idx'))
    sa.Index('prepaid_cards_reseller_idx', t.c.reseller_id)
    t = native('prepaid_history',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('reseller_id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('domain', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=255), nullable=False),
        sa.Column('duration', sa.BigInteger(), nullable=False),
        sa.Column('destination', sa.String(length=15), nullable=False),
        sa.Column('session', sa.String(length=255), nullable=False),
        sa.Column('description', sa.String(length=255), nullable=False),
        sa.Column('value', MONEY, nullable=False),
        sa.Column('balance', MONEY, nullable=False),
        sa.Column('date', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'))
    sa.Index('acct_id', t.c.username, t.c.domain)
    sa.Index('prepaid_history_reseller_idx', t.c.reseller_id)
    sa.Index('session_idx', t.c.session)
    t = native('presentity',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('domain', sa.String(length=64), nullable=False),
        sa.Column('event', sa.String(length=64), nullable=False),
        sa.Column('etag', sa.String(length=128), nullable=False),
        sa.Column('expires', sa.Integer(), nullable=False),
        sa.Column('received_time', sa.Integer(), nullable=False),
        sa.Column('body', sa.LargeBinary().with_variant(sa.BLOB(), 'mariadb').with_variant(sa.BLOB(), 'mysql'), nullable=False),
        sa.Column('sender', sa.String(length=255), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('ruid', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ruid', name='ruid_idx'),
        sa.UniqueConstraint('username', 'domain', 'event', 'etag', name='presentity_idx'))
    sa.Index('account_idx', t.c.username, t.c.domain, t.c.event)
    sa.Index('presentity_expires', t.c.expires)
    t = native('records',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('domain_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=255), nullable=True),
        sa.Column('type', sa.String(length=10), nullable=True),
        sa.Column('content', sa.String(length=64000), nullable=True),
        sa.Column('ttl', sa.Integer(), nullable=True),
        sa.Column('prio', sa.Integer(), nullable=True),
        sa.Column('disabled', sa.Boolean(), server_default=sa.text('0'), nullable=True),
        sa.Column('ordername', sa.String(length=255).with_variant(mysql.VARCHAR(binary=True, length=255), 'mysql'), nullable=True),
        sa.Column('auth', sa.Boolean(), server_default=sa.text('1'), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        mysql_charset='latin1',
        mysql_engine='InnoDB')
    sa.Index('domain_id', t.c.domain_id)
    sa.Index('nametype_index', t.c.name, t.c.type)
    sa.Index('ordername', t.c.ordername)
    t = native('sip_trace',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('time_stamp', sa.DateTime(), nullable=False),
        sa.Column('time_us', sa.Integer(), nullable=False),
        sa.Column('callid', sa.String(length=255), nullable=False),
        sa.Column('traced_user', sa.String(length=255), nullable=False),
        sa.Column('msg', sa.Text().with_variant(mysql.MEDIUMTEXT(), 'mysql'), nullable=False),
        sa.Column('method', sa.String(length=50), nullable=False),
        sa.Column('status', sa.String(length=255), nullable=False),
        sa.Column('fromip', sa.String(length=64), nullable=False),
        sa.Column('toip', sa.String(length=64), nullable=False),
        sa.Column('fromtag', sa.String(length=128), nullable=False),
        sa.Column('totag', sa.String(length=128), nullable=False),
        sa.Column('direction', sa.String(length=4), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    sa.Index('date_idx', t.c.time_stamp)
    sa.Index('fromip_idx', t.c.fromip)
    sa.Index('sip_trace_callid_idx', t.c.callid)
    sa.Index('traced_user_idx', t.c.traced_user)
    t = native('userblocklist',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('domain', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=64), nullable=False),
        sa.Column('allowlist', sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    sa.Index('userblocklist_idx', t.c.username, t.c.domain, t.c.prefix)
    t = native('usr_preferences',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('uuid', sa.String(length=64), nullable=False),
        sa.Column('username', sa.String(length=255), nullable=False),
        sa.Column('domain', sa.String(length=64), nullable=False),
        sa.Column('attribute', sa.String(length=32), nullable=False),
        sa.Column('type', sa.Integer(), nullable=False),
        sa.Column('value', sa.String(length=128), nullable=False),
        sa.Column('last_modified', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    sa.Index('ua_idx', t.c.uuid, t.c.attribute)
    sa.Index('uda_idx', t.c.username, t.c.domain, t.c.attribute)
    t = native('voicemail',
        sa.Column('uniqueid', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('context', sa.String(length=80), nullable=False),
        sa.Column('mailbox', sa.String(length=80), nullable=False),
        sa.Column('password', sa.String(length=80), nullable=False),
        sa.Column('fullname', sa.String(length=80), nullable=True),
        sa.Column('alias', sa.String(length=80), nullable=True),
        sa.Column('email', sa.String(length=80), nullable=True),
        sa.Column('pager', sa.String(length=80), nullable=True),
        sa.Column('attach', YES_NO('attach_values'), nullable=True),
        sa.Column('attachfmt', sa.String(length=10), nullable=True),
        sa.Column('serveremail', sa.String(length=80), nullable=True),
        sa.Column('language', sa.String(length=20), nullable=True),
        sa.Column('tz', sa.String(length=30), nullable=True),
        sa.Column('deletevoicemail', YES_NO('deletevoicemail_values'), nullable=True),
        sa.Column('saycid', YES_NO('saycid_values'), nullable=True),
        sa.Column('sendvoicemail', YES_NO('sendvoicemail_values'), nullable=True),
        sa.Column('review', YES_NO('review_values'), nullable=True),
        sa.Column('tempgreetwarn', YES_NO('tempgreetwarn_values'), nullable=True),
        sa.Column('operator', YES_NO('operator_values'), nullable=True),
        sa.Column('envelope', YES_NO('envelope_values'), nullable=True),
        sa.Column('sayduration', sa.Integer(), nullable=True),
        sa.Column('forcename', YES_NO('forcename_values'), nullable=True),
        sa.Column('forcegreetings', YES_NO('forcegreetings_values'), nullable=True),
        sa.Column('callback', sa.String(length=80), nullable=True),
        sa.Column('dialout', sa.String(length=80), nullable=True),
        sa.Column('exitcontext', sa.String(length=80), nullable=True),
        sa.Column('maxmsg', sa.Integer(), nullable=True),
        sa.Column('volgain', sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True),
        sa.Column('imapuser', sa.String(length=80), nullable=True),
        sa.Column('imappassword', sa.String(length=80), nullable=True),
        sa.Column('imapserver', sa.String(length=80), nullable=True),
        sa.Column('imapport', sa.String(length=8), nullable=True),
        sa.Column('imapflags', sa.String(length=80), nullable=True),
        sa.Column('stamp', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('uniqueid'))
    sa.Index('voicemail_context', t.c.context)
    sa.Index('voicemail_imapuser', t.c.imapuser)
    sa.Index('voicemail_mailbox', t.c.mailbox)
    sa.Index('voicemail_mailbox_context', t.c.mailbox, t.c.context)
    t = native('watchers',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('presentity_uri', sa.String(length=255), nullable=False),
        sa.Column('watcher_username', sa.String(length=64), nullable=False),
        sa.Column('watcher_domain', sa.String(length=64), nullable=False),
        sa.Column('event', sa.String(length=64), nullable=False),
        sa.Column('status', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=64), nullable=True),
        sa.Column('inserted_time', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('presentity_uri', 'watcher_username', 'watcher_domain', 'event', name='watcher_idx'))
    t = native('xcap',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('domain', sa.String(length=64), nullable=False),
        sa.Column('doc', sa.LargeBinary().with_variant(mysql.MEDIUMBLOB(), 'mariadb').with_variant(mysql.MEDIUMBLOB(), 'mysql'), nullable=False),
        sa.Column('doc_type', sa.Integer(), nullable=False),
        sa.Column('etag', sa.String(length=128), nullable=False),
        sa.Column('source', sa.Integer(), nullable=False),
        sa.Column('doc_uri', sa.String(length=255), nullable=False),
        sa.Column('port', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('doc_uri', name='doc_uri_idx'))
    sa.Index('account_doc_type_idx', t.c.username, t.c.domain, t.c.doc_type)
    sa.Index('account_doc_type_uri_idx', t.c.username, t.c.domain, t.c.doc_type, t.c.doc_uri)
    sa.Index('account_doc_uri_idx', t.c.username, t.c.domain, t.c.doc_uri)
    return m


def upgrade(native_names=None):
    names = Names(native_names)
    bind = op.get_bind()
    created = create_missing(bind, tables(names))
    if 'ngnpro_voicemail_numbering' in created:
        # The one row the mailbox numbering locks (never created lazily:
        # concurrent first inserts deadlock on MariaDB).
        bind.execute(sa.text('INSERT INTO ngnpro_voicemail_numbering '
                             '(id, next_mailbox) VALUES (1, 0)'))
    # Network.getStatistics counts accounts and aliases per domain;
    # getAccounts ordered by username walks the username index.
    create_indexes(bind, names, 'ngnpro_sip_accounts', False,
                   ('ngnpro_sip_account_domain_idx', ['domain'], False),
                   ('ngnpro_sip_account_username_idx', ['username'], False))
    create_indexes(bind, names, 'ngnpro_sip_aliases', False,
                   ('ngnpro_sip_alias_domain_idx', ['domain'], False))
    add_versions(bind, names, KAMAILIO_VERSIONS)


def downgrade(native_names=None):
    raise NotImplementedError('restore the backup taken before the upgrade')
