"""Customers and resellers with their properties (CustomerPort)."""
from sqlalchemy import (Boolean, Column, DateTime, Float, Integer, String,
                        Table, Text, UniqueConstraint)

from .base import ident

_TEXT = ('address', 'billing_address')
_STRINGS = (
    'first_name', 'last_name', 'organization', 'vat_number', 'email', 'web',
    'tel', 'fax', 'mobile', 'sip', 'enum', 'postcode', 'city', 'state',
    'country', 'timezone', 'language', 'bank_account', 'billing_email',
    'company_code')


def define(s):
    m = s.metadata
    s.customers = Table(
        'ngnpro_customers', m, ident(),
        Column('reseller', Integer, nullable=False, default=0, index=True),
        Column('impersonate', Integer, nullable=False, default=0),
        Column('username', String(64), nullable=False, unique=True),
        Column('password', String(255), nullable=False, default=''),
        *[Column(c, String(255), nullable=False, default='')
          for c in _STRINGS],
        *[Column(c, Text, nullable=True) for c in _TEXT],
        Column('balance', Float, nullable=False, default=0.0),
        Column('credit', Float, nullable=False, default=0.0),
        Column('reseller_active', Boolean, nullable=False, default=False),
        Column('change_date', DateTime, nullable=False))
    s.customer_properties = Table(
        'ngnpro_customer_properties', m, ident(),
        Column('customer_id', Integer, nullable=False),
        Column('name', String(64), nullable=False),
        Column('value', Text, nullable=True),
        Column('category', String(64), nullable=False, default=''),
        Column('permission', String(32), nullable=False, default=''),
        UniqueConstraint('customer_id', 'name',
                         name='ngnpro_customer_property_idx'))
    # Records per customer and credit, kept by ngnpro.store.usage.
    s.credit_usage = Table(
        'ngnpro_credit_usage', m,
        Column('owner', Integer, primary_key=True, autoincrement=False),
        Column('credit', String(32), primary_key=True),
        Column('used', Integer, nullable=False, default=0))
