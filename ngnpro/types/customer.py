"""Customer port types (spec §3.5, guide XSD)."""
from .common import (BigInt, Bool, CustomerPropertyArray, Float, Name,
                     String, Text, array, query, query_result, struct)

CUSTOMER_STRINGS = (
    'username', 'password', 'firstName', 'lastName', 'organization',
    'vatNumber', 'email', 'web', 'tel', 'fax', 'mobile', 'sip', 'enum',
    'address', 'postcode', 'city', 'state', 'country', 'timezone', 'language',
    'bankAccount', 'billingAddress', 'billingEmail')

# Column sizes: username is a 64-char key, the postal addresses are text.
_LIMITS = {'username': Name, 'address': Text, 'billingAddress': Text}

CustomerAccount = struct('CustomerAccount', [
    ('id', BigInt), ('reseller', BigInt), ('impersonate', BigInt)]
    + [(n, _LIMITS.get(n, String)) for n in CUSTOMER_STRINGS]
    + [('balance', Float), ('credit', Float), ('companyCode', String),
       ('resellerActive', Bool), ('changeDate', String),
       ('properties', CustomerPropertyArray)])

CUSTOMER_FILTER_STRINGS = ('username', 'firstName', 'lastName', 'organization',
                           'tel', 'email', 'web', 'city', 'country')
CustomerFilter = struct('CustomerFilter',
                        [(n, String) for n in CUSTOMER_FILTER_STRINGS]
                        + [('only_resellers', String), ('customer', BigInt),
                           ('reseller', BigInt)])
CustomerQuery = query('CustomerQuery', CustomerFilter)
CustomerAccountArray = array(CustomerAccount, 'CustomerAccountArray')
CustomerQueryResult = query_result('CustomerQueryResult', 'accounts',
                                   CustomerAccountArray)
