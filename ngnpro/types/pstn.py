"""PSTN routing types of the Sip port: carriers, gateways, gateway rules and
routes (spec §3.4), with their queries (§3.2) and results (§3.3).

Limits are those of the columns the members land in, ours and Kamailio's
lcr tables (ngnpro.store.schema.lcr): lcr_rule.prefix and lcr_gw.prefix are
16 characters, the lcr module rewrites at most 64 digits.
"""
from .common import (BigInt, Int, Name, String, array, limited, query,
                     query_result, struct)

Id = limited(Int, ge=0)                      # ids assigned by the server
Digits = limited(String, max_len=16)         # prefixes (lcr_rule.prefix)
Length = limited(Int, ge=0, le=64)           # digit counts (0 = no limit)
Port = limited(Int, ge=0, le=65535)
Priority = limited(Int, ge=0)
Host = Name                                  # lcr_gw.hostname is 64 wide
Transport = limited(String, max_len=8)

Carrier = struct('Carrier', [
    ('id', Id), ('name', Name), ('reseller', BigInt), ('changeDate', String)])

Gateway = struct('Gateway', [
    ('id', Id), ('name', Name), ('carrier_id', Id), ('carrier', Name),
    ('transport', Transport), ('ip', Host), ('port', Port),
    ('reseller', BigInt), ('changeDate', String)])

GatewayRule = struct('GatewayRule', [
    ('id', Id), ('gateway_id', Id), ('gateway', Name), ('carrier_id', Id),
    ('carrier', Name), ('prefix', Digits), ('strip', Length),
    ('prepend', Digits), ('minLength', Length), ('maxLength', Length),
    ('reseller', BigInt), ('changeDate', String)])

Route = struct('Route', [
    ('id', Id), ('carrier_id', Id), ('carrier', Name), ('prefix', Digits),
    ('originator', Name), ('priority', Priority), ('reseller', BigInt),
    ('changeDate', String)])
RouteArray = array(Route, 'RouteArray')

CarrierFilter = struct('CarrierFilter', [
    ('id', Id), ('name', String), ('reseller', BigInt)])
GatewayFilter = struct('GatewayFilter', [
    ('id', Id), ('carrier_id', Id), ('customer', BigInt),
    ('reseller', BigInt), ('name', String)])
GatewayRuleFilter = struct('GatewayRuleFilter', [
    ('id', Id), ('gateway_id', Id), ('carrier_id', Id), ('customer', BigInt),
    ('reseller', BigInt), ('prefix', String)])
RouteFilter = struct('RouteFilter', [
    ('prefix', String), ('carrier_id', Id), ('reseller', BigInt),
    ('id', Id)])

CarrierQuery = query('CarrierQuery', CarrierFilter)
GatewayQuery = query('GatewayQuery', GatewayFilter)
GatewayRuleQuery = query('GatewayRuleQuery', GatewayRuleFilter)
RouteQuery = query('RouteQuery', RouteFilter)

CarrierQueryResult = query_result('CarrierQueryResult', 'carriers',
                                  array(Carrier, 'CarrierArray'))
GatewayQueryResult = query_result('GatewayQueryResult', 'gateways',
                                  array(Gateway, 'GatewayArray'))
GatewayRuleQueryResult = query_result(
    'GatewayRuleQueryResult', 'gateway_rules',
    array(GatewayRule, 'GatewayRuleArray'))
RouteQueryResult = query_result('RouteQueryResult', 'routes', RouteArray)
