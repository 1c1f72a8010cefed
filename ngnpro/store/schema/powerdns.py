"""PowerDNS Authoritative 4.7's gmysql tables ``domains`` and ``records``
(modules/gmysqlbackend/schema.mysql.sql): columns, types, defaults, index
names and the latin1 character set are PowerDNS's own, so that a stock
pdns_server (and pdnsutil) reads what the server writes. PowerDNS's other
tables (domainmetadata, cryptokeys, comments, ...) are PowerDNS's business:
its schema file creates them beside these, which ``db init`` then leaves
alone (see docs/dns-enum.md)."""
from sqlalchemy import (BigInteger, Boolean, Column, Index, Integer, String,
                        text)
from sqlalchemy.dialects import mysql

# In MySQL terms exactly PowerDNS's column types.
_UNSIGNED = Integer().with_variant(mysql.INTEGER(unsigned=True), 'mysql')
_UTF8_40 = String(40).with_variant(mysql.VARCHAR(40, charset='utf8'),
                                   'mysql')
_BINARY_255 = String(255).with_variant(mysql.VARCHAR(255, binary=True),
                                       'mysql')
# SQLite only auto-increments an INTEGER PRIMARY KEY.
_BIG_ID = BigInteger().with_variant(Integer, 'sqlite')
_TABLE = {'mysql_engine': 'InnoDB', 'mysql_charset': 'latin1'}


def define(s):
    s.pdns_domains = s.native(
        'domains', None,
        Column('id', Integer, primary_key=True, autoincrement=True),
        Column('name', String(255), nullable=False),
        Column('master', String(128), nullable=True),
        Column('last_check', Integer, nullable=True),
        Column('type', String(8), nullable=False),
        Column('notified_serial', _UNSIGNED, nullable=True),
        Column('account', _UTF8_40, nullable=True),
        Column('options', String(64000), nullable=True),
        Column('catalog', String(255), nullable=True),
        Index('name_index', 'name', unique=True),
        Index('catalog_idx', 'catalog'), **_TABLE)
    s.pdns_records = s.native(
        'records', None,
        Column('id', _BIG_ID, primary_key=True, autoincrement=True),
        Column('domain_id', Integer, nullable=True),
        Column('name', String(255), nullable=True),
        Column('type', String(10), nullable=True),
        Column('content', String(64000), nullable=True),
        Column('ttl', Integer, nullable=True),
        Column('prio', Integer, nullable=True),
        Column('disabled', Boolean, nullable=True, server_default=text('0')),
        Column('ordername', _BINARY_255, nullable=True),
        Column('auth', Boolean, nullable=True, server_default=text('1')),
        Index('nametype_index', 'name', 'type'),
        Index('domain_id', 'domain_id'),
        Index('ordername', 'ordername'), **_TABLE)
