"""DNS zones, their records and fancy records: the server's own rows behind
the DnsPort. Zones and records are mirrored in PowerDNS's domains/records
(schema.powerdns); fancy records (mail forwards, web redirects) are not DNS
data and live here only."""
from sqlalchemy import (BigInteger, Column, DateTime, Index, Integer, String,
                        Table, Text, UniqueConstraint)

from .base import ident


def _owned():
    return [Column('owner', Integer, nullable=False, default=0, index=True),
            Column('customer', Integer, nullable=False, default=0,
                   index=True),
            Column('reseller', Integer, nullable=False, default=0,
                   index=True),
            Column('change_date', DateTime, nullable=False, index=True)]


def define(s):
    m = s.metadata
    s.dns_zones = Table(
        'ngnpro_dns_zones', m, ident(),
        Column('name', String(253), nullable=False, unique=True),
        Column('domain_id', Integer, nullable=False),   # PowerDNS domains.id
        Column('ttl', Integer, nullable=False),
        Column('email', String(255), nullable=False, default=''),
        Column('serial', BigInteger, nullable=False, default=0),
        Column('refresh', Integer, nullable=False),
        Column('retry', Integer, nullable=False),
        Column('expire', Integer, nullable=False),
        Column('minimum', Integer, nullable=False),
        Column('nameservers', Text, nullable=False),    # space separated
        Column('info', String(255), nullable=False, default='', index=True),
        Column('customer', Integer, nullable=False, default=0, index=True),
        Column('reseller', Integer, nullable=False, default=0, index=True),
        Column('change_date', DateTime, nullable=False, index=True))
    # value_hash: SHA-1 of the record's type and PowerDNS content, so that
    # one RR exists once (7003) under a unique key, whatever its length.
    s.dns_records = Table(
        'ngnpro_dns_records', m, ident(),
        Column('zone_id', Integer, nullable=False),
        Column('zone', String(253), nullable=False, index=True),
        Column('name', String(253), nullable=False, index=True),
        Column('type', String(10), nullable=False, index=True),
        Column('value', Text, nullable=False),
        Column('value_hash', String(40), nullable=False),
        Column('ttl', Integer, nullable=False),
        Column('priority', Integer, nullable=False, default=0),
        Column('pdns_id', BigInteger, nullable=False),  # PowerDNS records.id
        *_owned(),
        UniqueConstraint('zone_id', 'name', 'type', 'value_hash',
                         name='ngnpro_dns_record_idx'),
        Index('ngnpro_dns_record_value_idx', 'value', mysql_length=255))
    s.dns_fancy_records = Table(
        'ngnpro_dns_fancy_records', m, ident(),
        Column('zone_id', Integer, nullable=False),
        Column('zone', String(253), nullable=False, index=True),
        Column('name', String(255), nullable=False, index=True),
        Column('type', String(10), nullable=False, index=True),
        Column('value', String(4096), nullable=False),
        Column('ttl', Integer, nullable=False, default=0),
        Column('priority', Integer, nullable=False, default=0),
        *_owned(),
        UniqueConstraint('zone_id', 'name', 'type',
                         name='ngnpro_dns_fancy_record_idx'),
        Index('ngnpro_dns_fancy_value_idx', 'value', mysql_length=255))
