"""ENUM ranges, numbers and mappings: the server's own rows behind the
EnumPort. A range is a PowerDNS zone (its prefix reversed under its tld), a
mapping one NAPTR row of it (schema.powerdns)."""
from sqlalchemy import (BigInteger, Column, DateTime, Index, Integer, String,
                        Table, Text, UniqueConstraint)

from .base import ident


def define(s):
    m = s.metadata
    s.enum_ranges = Table(
        'ngnpro_enum_ranges', m, ident(),
        Column('prefix', String(32), nullable=False),
        Column('tld', String(253), nullable=False, index=True),
        Column('zone', String(253), nullable=False, unique=True),
        Column('domain_id', Integer, nullable=False),   # PowerDNS domains.id
        Column('ttl', Integer, nullable=False),
        Column('min_digits', Integer, nullable=False, default=0),
        Column('max_digits', Integer, nullable=False, default=0),
        Column('size', Integer, nullable=False, default=0),
        Column('serial', BigInteger, nullable=False, default=0),
        Column('nameservers', Text, nullable=False),    # space separated
        Column('info', String(255), nullable=False, default='', index=True),
        Column('customer', Integer, nullable=False, default=0, index=True),
        Column('reseller', Integer, nullable=False, default=0, index=True),
        Column('change_date', DateTime, nullable=False, index=True),
        UniqueConstraint('prefix', 'tld', name='ngnpro_enum_range_idx'))
    s.enum_numbers = Table(
        'ngnpro_enum_numbers', m, ident(),
        Column('number', String(32), nullable=False),
        Column('tld', String(253), nullable=False, index=True),
        Column('range_id', Integer, nullable=False, index=True),
        Column('info', String(255), nullable=False, default=''),
        Column('owner', Integer, nullable=False, default=0, index=True),
        Column('customer', Integer, nullable=False, default=0, index=True),
        Column('reseller', Integer, nullable=False, default=0, index=True),
        Column('change_date', DateTime, nullable=False, index=True),
        UniqueConstraint('number', 'tld', name='ngnpro_enum_number_idx'))
    s.enum_mappings = Table(
        'ngnpro_enum_mappings', m, ident(),
        Column('number_id', Integer, nullable=False, index=True),
        Column('type', String(64), nullable=False),
        Column('mapto', String(255), nullable=False, index=True),
        Column('priority', Integer, nullable=False, default=0),
        Column('ttl', Integer, nullable=False),
        Column('pdns_id', BigInteger, nullable=False),  # PowerDNS records.id
        Index('ngnpro_enum_mapping_type_idx', 'type', 'mapto'))
