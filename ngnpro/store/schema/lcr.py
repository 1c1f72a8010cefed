"""PSTN routing: the server's carriers, gateways, gateway rules and routes,
and Kamailio 5.6's lcr tables they are compiled into
(/usr/share/kamailio/mysql/lcr-create.sql: columns, types and version rows
are Kamailio's; docs/pstn-routing.md gives the mapping).

Every filter and order column of the four listings has an index.
"""
from sqlalchemy import (Column, DateTime, Index, Integer, SmallInteger,
                        String, Table, UniqueConstraint)
from sqlalchemy.dialects import mysql

from .base import ident

# Kamailio's unsigned columns, as its own create script declares them.
def _unsigned(base, native):
    return base.with_variant(native, 'mysql').with_variant(native, 'mariadb')


UINT = _unsigned(Integer(), mysql.INTEGER(unsigned=True))
USMALL = _unsigned(SmallInteger(), mysql.SMALLINT(unsigned=True))
UTINY = _unsigned(SmallInteger(), mysql.TINYINT(unsigned=True))


def _uid():
    return Column('id', UINT, primary_key=True, autoincrement=True)


def _owner():
    return (Column('customer', Integer, nullable=False, default=0),
            Column('reseller', Integer, nullable=False, default=0))


def define(s):
    m = s.metadata
    s.pstn_carriers = Table(
        'ngnpro_pstn_carriers', m, ident(),
        Column('name', String(64), nullable=False),
        *_owner(),
        Column('change_date', DateTime, nullable=False),
        UniqueConstraint('reseller', 'name', name='ngnpro_pstn_carrier_idx'),
        Index('ngnpro_pstn_carrier_name_idx', 'name'),
        Index('ngnpro_pstn_carrier_customer_idx', 'customer'),
        Index('ngnpro_pstn_carrier_date_idx', 'change_date'))
    # ``carrier`` (and below ``gateway``) repeat the referenced names, kept
    # up to date on rename, so that listings filter and sort on indexed
    # columns of one table.
    s.pstn_gateways = Table(
        'ngnpro_pstn_gateways', m, ident(),
        Column('name', String(64), nullable=False),
        Column('carrier_id', Integer, nullable=False),
        Column('carrier', String(64), nullable=False),
        Column('transport', String(8), nullable=False, default='udp'),
        Column('ip', String(64), nullable=False),
        Column('port', Integer, nullable=False, default=5060),
        *_owner(),
        Column('change_date', DateTime, nullable=False),
        UniqueConstraint('reseller', 'name', name='ngnpro_pstn_gateway_idx'),
        Index('ngnpro_pstn_gateway_name_idx', 'name'),
        Index('ngnpro_pstn_gateway_carrier_idx', 'carrier_id'),
        Index('ngnpro_pstn_gateway_ip_idx', 'ip'),
        Index('ngnpro_pstn_gateway_customer_idx', 'customer'),
        Index('ngnpro_pstn_gateway_date_idx', 'change_date'))
    s.pstn_gateway_rules = Table(
        'ngnpro_pstn_gateway_rules', m, ident(),
        Column('gateway_id', Integer, nullable=False),
        Column('gateway', String(64), nullable=False),
        Column('carrier_id', Integer, nullable=False),
        Column('carrier', String(64), nullable=False),
        Column('prefix', String(16), nullable=False, default=''),
        Column('strip', Integer, nullable=False, default=0),
        Column('prepend', String(16), nullable=False, default=''),
        Column('min_length', Integer, nullable=False, default=0),
        Column('max_length', Integer, nullable=False, default=0),
        *_owner(),
        Column('change_date', DateTime, nullable=False),
        Index('ngnpro_pstn_rule_gateway_id_idx', 'gateway_id'),
        Index('ngnpro_pstn_rule_gateway_idx', 'gateway'),
        Index('ngnpro_pstn_rule_carrier_id_idx', 'carrier_id'),
        Index('ngnpro_pstn_rule_carrier_idx', 'carrier'),
        Index('ngnpro_pstn_rule_prefix_idx', 'prefix'),
        Index('ngnpro_pstn_rule_customer_idx', 'customer'),
        Index('ngnpro_pstn_rule_reseller_idx', 'reseller'),
        Index('ngnpro_pstn_rule_date_idx', 'change_date'))
    s.pstn_routes = Table(
        'ngnpro_pstn_routes', m, ident(),
        Column('carrier_id', Integer, nullable=False),
        Column('carrier', String(64), nullable=False),
        Column('prefix', String(16), nullable=False, default=''),
        Column('originator', String(64), nullable=False, default=''),
        Column('priority', Integer, nullable=False, default=0),
        *_owner(),
        Column('change_date', DateTime, nullable=False),
        UniqueConstraint('reseller', 'prefix', 'originator', 'carrier_id',
                         name='ngnpro_pstn_route_idx'),
        Index('ngnpro_pstn_route_prefix_idx', 'prefix'),
        Index('ngnpro_pstn_route_priority_idx', 'priority'),
        Index('ngnpro_pstn_route_carrier_idx', 'carrier_id'),
        Index('ngnpro_pstn_route_customer_idx', 'customer'),
        Index('ngnpro_pstn_route_date_idx', 'change_date'))
    # Which lcr instance (lcr_id) holds whose routing: 1 the platform's
    # (reseller 0), one per reseller that owns carriers. Every routing write
    # updates the row of each instance it recompiles, which serialises
    # writers of one instance (also across Galera nodes: write-write
    # conflict) and leaves the others alone.
    s.lcr_instances = Table(
        'ngnpro_lcr_instances', m,
        Column('lcr_id', Integer, primary_key=True, autoincrement=False),
        Column('reseller', Integer, nullable=False, unique=True),
        Column('serial', Integer, nullable=False, default=0),
        Column('change_date', DateTime, nullable=False))

    # Kamailio's lcr module. Index names are per database in SQLite, so
    # the lcr_id index of lcr_rule_target has a name of its own.
    s.lcr_gw = s.native(
        'lcr_gw', 3, _uid(),
        Column('lcr_id', USMALL, nullable=False),
        Column('gw_name', String(128)),
        Column('ip_addr', String(50)),
        Column('hostname', String(64)),
        Column('port', USMALL),
        Column('params', String(64)),
        Column('uri_scheme', UTINY),
        Column('transport', UTINY),
        Column('strip', UTINY),
        Column('prefix', String(16), default=None),
        Column('tag', String(64), default=None),
        Column('flags', UINT, nullable=False, default=0),
        Column('defunct', UINT, default=None),
        Index('lcr_id_idx', 'lcr_id'))
    s.lcr_rule_target = s.native(
        'lcr_rule_target', 1, _uid(),
        Column('lcr_id', USMALL, nullable=False),
        Column('rule_id', UINT, nullable=False),
        Column('gw_id', UINT, nullable=False),
        Column('priority', UTINY, nullable=False),
        Column('weight', UINT, nullable=False, default=1),
        UniqueConstraint('rule_id', 'gw_id', name='rule_id_gw_id_idx'),
        Index('lcr_rule_target_lcr_id_idx', 'lcr_id'))
    s.lcr_rule = s.native(
        'lcr_rule', 3, _uid(),
        Column('lcr_id', USMALL, nullable=False),
        Column('prefix', String(16), default=None),
        Column('from_uri', String(64), default=None),
        Column('request_uri', String(64), default=None),
        Column('mt_tvalue', String(128), default=None),
        Column('stopper', UINT, nullable=False, default=0),
        Column('enabled', UINT, nullable=False, default=1),
        UniqueConstraint('lcr_id', 'prefix', 'from_uri',
                         name='lcr_id_prefix_from_uri_idx'))
