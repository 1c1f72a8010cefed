"""Records the EnumPort operations start from, found for the caller: a
missing one is its not-found fault, and so is another tenant's."""
import re

from ngnpro import names, rights
from ngnpro.faults import (NUMBER_NOT_FOUND, RANGE_NOT_FOUND, NGNProError,
                           invalid)
from ngnpro.store import enum as store

MAX_DIGITS = 32
_DIGITS = re.compile(r'^[0-9]+$')


def digits(value, what):
    text = (value or '').strip().lstrip('+')
    if not _DIGITS.match(text) or len(text) > MAX_DIGITS:
        raise invalid('%s must be 1 to %d digits, not %r'
                      % (what, MAX_DIGITS, value))
    return text


def range_id(value, what='range'):
    if value is None:
        raise invalid('%s is required' % what)
    return (digits(value.prefix, what + '.prefix'),
            names.dns_name(value.tld, what + '.tld'))


def number_id(value, what='enumId'):
    if value is None:
        raise invalid('%s is required' % what)
    return (digits(value.number, what + '.number'),
            names.dns_name(value.tld, what + '.tld'))


def _range_missing(prefix, tld):
    return NGNProError(RANGE_NOT_FOUND, 'ENUM range %s@%s does not exist'
                       % (prefix, tld))


def enum_range(call, prefix, tld, for_update=False):
    row = store.range_row(call.conn, call.schema, prefix, tld, for_update)
    if row is None:
        raise _range_missing(prefix, tld)
    rights.require_visible(call.principal, row['customer'], row['reseller'],
                           _range_missing(prefix, tld))
    return row


def range_of_number(call, number, tld):
    """The range ``number`` belongs to (visible to the caller), locked."""
    row = store.range_for_number(call.conn, call.schema, number, tld)
    missing = NGNProError(RANGE_NOT_FOUND, 'No ENUM range of %s holds number '
                          '%s' % (tld, number))
    if row is None:
        raise missing
    rights.require_visible(call.principal, row['customer'], row['reseller'],
                           missing)
    return store.range_by_id(call.conn, call.schema, row['id'],
                             for_update=True)


def number_missing(number, tld):
    return NGNProError(NUMBER_NOT_FOUND, 'ENUM number %s@%s does not exist'
                       % (number, tld))


def number(call, enum_id, for_update=False):
    num, tld = number_id(enum_id)
    row = store.number_row(call.conn, call.schema, num, tld, for_update)
    if row is None:
        raise number_missing(num, tld)
    rights.require_visible(call.principal, row['customer'], row['reseller'],
                           number_missing(num, tld))
    return row
