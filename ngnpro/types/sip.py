"""Sip port types: domains, trusted peers, accounts, aliases (spec §3.4)."""
from .common import (BigInt, Bool, Int, NonNegInt, PropertyArray, SipId,
                     String, StringArray, array, query, query_result, struct)

SubscriberACL = struct('SubscriberACL', [('ip', String), ('mask', Int),
                                         ('tag', String)])
SubscriberACLArray = array(SubscriberACL, 'SubscriberACLArray')

SipAccount = struct('SipAccount', [
    ('id', SipId), ('password', String), ('ha1', String),
    ('firstName', String), ('lastName', String), ('email', String),
    ('acl', SubscriberACLArray), ('groups', StringArray),
    ('properties', PropertyArray), ('timezone', String), ('rpid', String),
    ('quota', Int), ('quickdialPrefix', String), ('callLimit', Int),
    ('prepaid', Bool), ('region', String), ('timeout', NonNegInt),
    ('owner', BigInt), ('customer', BigInt), ('reseller', BigInt),
    ('changeDate', String), ('createDate', String)])

SipAlias = struct('SipAlias', [
    ('id', SipId), ('target', SipId), ('owner', BigInt), ('customer', BigInt),
    ('reseller', BigInt), ('changeDate', String)])

SipDomain = struct('SipDomain', [
    ('domain', String), ('customer', BigInt), ('reseller', BigInt),
    ('changeDate', String), ('certificate', String), ('private_key', String),
    ('match_ip_address', String), ('match_sip_domain', String),
    ('verify_cert', Bool), ('require_cert', Bool)])

TrustedPeer = struct('TrustedPeer', [
    ('ip', String), ('protocol', String), ('tag', String),
    ('description', String), ('reseller', BigInt), ('changeDate', String),
    ('customer', BigInt), ('owner', BigInt), ('callLimit', Int),
    ('msteams', Bool), ('tenant', String), ('authToken', String),
    ('carrierName', String), ('originator', String), ('prefix', String),
    ('strip', Int), ('blocked', Int), ('prepaid', Bool), ('enumLookup', Bool),
    ('transit', Bool), ('tags', String), ('billingId', String)])

SipFilter = struct('SipFilter', [
    ('username', String), ('domain', String), ('firstName', String),
    ('lastName', String), ('email', String), ('owner', BigInt),
    ('customer', BigInt), ('reseller', BigInt), ('groups', StringArray)])
AliasFilter = struct('AliasFilter', [
    ('aliasUsername', String), ('aliasDomain', String),
    ('targetUsername', String), ('targetDomain', String), ('owner', BigInt),
    ('customer', BigInt), ('reseller', BigInt)])
SipDomainFilter = struct('SipDomainFilter', [
    ('domain', String), ('customer', BigInt), ('reseller', BigInt)])
TrustedPeerFilter = struct('TrustedPeerFilter', [
    ('ip', String), ('description', String), ('tenant', String),
    ('tags', String), ('billingId', String), ('msteams', Bool),
    ('blocked', Int), ('customer', BigInt), ('reseller', BigInt)])

SipQuery = query('SipQuery', SipFilter)
AliasQuery = query('AliasQuery', AliasFilter)
SipDomainQuery = query('SipDomainQuery', SipDomainFilter)
TrustedPeerQuery = query('TrustedPeerQuery', TrustedPeerFilter)

SipQueryResult = query_result('SipQueryResult', 'accounts',
                              array(SipAccount, 'SipAccountArray'))
AliasQueryResult = query_result('AliasQueryResult', 'aliases',
                                array(SipAlias, 'SipAliasArray'))
SipDomainQueryResult = query_result('SipDomainQueryResult', 'domains',
                                    array(SipDomain, 'SipDomainArray'))
TrustedPeerQueryResult = query_result('TrustedPeerQueryResult', 'peers',
                                      array(TrustedPeer, 'TrustedPeerArray'))
