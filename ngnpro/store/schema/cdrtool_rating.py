"""CDRTool's ``billing_customers`` table (setup/mysql/create_tables.mysql):
which billing profiles its rating engine applies to a subscriber, a domain
or a gateway. The table is CDRTool's; a deployment that keeps CDRTool's
tables in CDRTool's own database names it ``cdrtool.billing_customers`` in
[cdrtool_tables]."""
from sqlalchemy import (BigInteger, Column, Index, Integer, SmallInteger,
                        String, UniqueConstraint)
from sqlalchemy.dialects import mysql


def _unsigned(generic, native):
    # CDRTool's UNSIGNED types on MariaDB
    # (one dialect per with_variant: SQLAlchemy 1.4 takes only one).
    return generic().with_variant(native(unsigned=True), 'mysql') \
        .with_variant(native(unsigned=True), 'mariadb')


def define(s):
    s.billing_customers = s.native(
        'billing_customers', None,
        # SQLite only auto-numbers an INTEGER primary key.
        Column('id', _unsigned(BigInteger, mysql.BIGINT).with_variant(
            Integer(), 'sqlite'), primary_key=True, autoincrement=True),
        Column('reseller_id', _unsigned(Integer, mysql.INTEGER),
               nullable=False, server_default='0'),
        Column('gateway', String(15), nullable=False, server_default=''),
        Column('domain', String(64), nullable=False, server_default=''),
        Column('subscriber', String(128), nullable=False, server_default=''),
        *[Column(c, String(25), nullable=False, server_default='')
          for c in ('profile_name1', 'profile_name1_alt', 'profile_name2',
                    'profile_name2_alt')],
        Column('timezone', String(128), nullable=False, server_default=''),
        Column('increment', _unsigned(SmallInteger, mysql.SMALLINT),
               nullable=False, server_default='0'),
        Column('min_duration', _unsigned(SmallInteger, mysql.SMALLINT),
               nullable=False, server_default='0'),
        UniqueConstraint('gateway', 'domain', 'subscriber', name='cust_idx'),
        Index('reseller_idx', 'reseller_id'),
        Index('billing_customers_domain', 'domain'),
        Index('sub_idx', 'subscriber'))
