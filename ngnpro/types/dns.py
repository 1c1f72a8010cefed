"""Dns port types: zones, records and fancy records (spec §3.6, guide XSD).

Limits are those of the columns the members land in: DNS names are at most
253 characters (PowerDNS keeps 255), TTLs fit PowerDNS's signed INT, record
data its 64000-character ``content``.
"""
from spyne.model.primitive import (UnsignedInteger, UnsignedInteger16,
                                   UnsignedInteger32)

from .common import (BigInt, Int, String, StringArray, array, limited, query,
                     query_result, struct)

TTL_MAX = 2 ** 31 - 1          # RFC 2181 §8; PowerDNS records.ttl is INT

DnsName = limited(String, max_len=253)
Seconds = limited(Int, ge=0)                         # SOA timers (xsd:int)
ZoneTtl = UnsignedInteger(ge=0, le=TTL_MAX)         # xsd:nonNegativeInteger
RecordTtl = UnsignedInteger32(ge=0, le=TTL_MAX)     # xsd:unsignedInt
Priority = UnsignedInteger16(ge=0, le=65535)        # xsd:unsignedShort
RecordType = limited(String, max_len=10)            # PowerDNS records.type
RecordValue = limited(String, max_len=64000)        # PowerDNS records.content
FancyValue = limited(String, max_len=4096)

DnsZone = struct('DnsZone', [
    ('name', DnsName), ('ttl', ZoneTtl), ('nameservers', StringArray),
    ('email', String), ('serial', Int), ('refresh', Seconds),
    ('retry', Seconds), ('expire', Seconds), ('minimum', Seconds),
    ('customer', BigInt), ('reseller', BigInt), ('changeDate', String),
    ('info', String)])


def _record(name, value_type):
    return struct(name, [
        ('id', BigInt), ('zone', DnsName), ('name', String),
        ('type', RecordType), ('ttl', RecordTtl), ('value', value_type),
        ('priority', Priority), ('owner', BigInt), ('customer', BigInt),
        ('reseller', BigInt), ('changeDate', String)])


DnsRecord = _record('DnsRecord', RecordValue)
DnsFancyRecord = _record('DnsFancyRecord', FancyValue)

DnsZoneFilter = struct('DnsZoneFilter', [
    ('name', String), ('info', String), ('customer', BigInt),
    ('reseller', BigInt)])


def _record_filter(name):
    return struct(name, [
        ('id', BigInt), ('zone', String), ('name', String), ('type', String),
        ('value', String), ('owner', BigInt), ('customer', BigInt),
        ('reseller', BigInt)])


DnsRecordFilter = _record_filter('DnsRecordFilter')
DnsFancyRecordFilter = _record_filter('DnsFancyRecordFilter')

DnsZoneQuery = query('DnsZoneQuery', DnsZoneFilter)
DnsRecordQuery = query('DnsRecordQuery', DnsRecordFilter)
DnsFancyRecordQuery = query('DnsFancyRecordQuery', DnsFancyRecordFilter)

DnsZoneQueryResult = query_result('DnsZoneQueryResult', 'zones',
                                  array(DnsZone, 'DnsZoneArray'))
DnsRecordQueryResult = query_result('DnsRecordQueryResult', 'records',
                                    array(DnsRecord, 'DnsRecordArray'))
DnsFancyRecordQueryResult = query_result(
    'DnsFancyRecordQueryResult', 'records',
    array(DnsFancyRecord, 'DnsFancyRecordArray'))
