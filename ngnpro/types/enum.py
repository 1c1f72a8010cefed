"""Enum port types: ranges, numbers and their NAPTR mappings (spec §3.7,
guide XSD)."""
from spyne.model.primitive import UnsignedInteger

from .common import (BigInt, Int, Name, String, StringArray, array, limited,
                     query, query_result, struct)
from .dns import TTL_MAX, DnsName

Digits = limited(String, max_len=32)     # E.164 digits (ngnpro_enum_*)
Count = limited(Int, ge=0)

EnumId = struct('EnumId', [('number', Digits), ('tld', DnsName)])
EnumRangeId = struct('EnumRangeId', [('prefix', Digits), ('tld', DnsName)])

EnumMapping = struct('EnumMapping', [
    ('id', limited(Int, ge=0)), ('type', Name), ('mapto', String),
    ('priority', limited(Int, ge=0, le=65535)),
    ('ttl', limited(Int, ge=0, le=TTL_MAX))])
EnumMappingArray = array(EnumMapping, 'EnumMappingArray')

EnumRange = struct('EnumRange', [
    ('id', EnumRangeId), ('ttl', UnsignedInteger(ge=0, le=TTL_MAX)),
    ('minDigits', limited(Int, ge=0, le=32)),
    ('maxDigits', limited(Int, ge=0, le=32)), ('size', Count),
    ('nameservers', StringArray), ('used', Int), ('serial', Int),
    ('customer', BigInt), ('reseller', BigInt), ('changeDate', String),
    ('info', String)])

EnumNumber = struct('EnumNumber', [
    ('id', EnumId), ('mappings', EnumMappingArray), ('info', String),
    ('owner', BigInt), ('customer', BigInt), ('reseller', BigInt),
    ('changeDate', String)])

EnumRangeFilter = struct('EnumRangeFilter', [
    ('prefix', String), ('tld', String), ('info', String),
    ('customer', BigInt), ('reseller', BigInt)])
EnumNumberFilter = struct('EnumNumberFilter', [
    ('number', String), ('tld', String), ('type', String), ('mapto', String),
    ('owner', BigInt), ('customer', BigInt), ('reseller', BigInt)])

EnumRangeQuery = query('EnumRangeQuery', EnumRangeFilter)
EnumNumberQuery = query('EnumNumberQuery', EnumNumberFilter)
EnumRangeQueryResult = query_result('EnumRangeQueryResult', 'ranges',
                                    array(EnumRange, 'EnumRangeArray'))
EnumNumberQueryResult = query_result('EnumNumberQueryResult', 'numbers',
                                     array(EnumNumber, 'EnumNumberArray'))
