"""Sip port types: domains, trusted peers, accounts, aliases (spec §3.4)."""
from .common import (BigInt, Bool, Int, Name, NonNegInt, PropertyArray,
                     SipId, String, StringArray, Text, array, limited, query,
                     query_result, struct)

# Limits of the columns these members land in (ngnpro.store.schema).
Count = limited(Int, ge=0)              # quotas, limits, digits to strip
Timeout = limited(NonNegInt, le=86400)  # seconds
Mask = limited(Int, ge=0, le=32)
Password = limited(String, max_len=65)  # clear text (64) or md5:md5

SubscriberACL = struct('SubscriberACL', [('ip', Name), ('mask', Mask),
                                         ('tag', Name)])
SubscriberACLArray = array(SubscriberACL, 'SubscriberACLArray')

SipAccount = struct('SipAccount', [
    ('id', SipId), ('password', Password), ('ha1', String),
    ('firstName', Name), ('lastName', Name), ('email', String),
    ('acl', SubscriberACLArray), ('groups', StringArray),
    ('properties', PropertyArray), ('timezone', Name), ('rpid', Name),
    ('quota', Count), ('quickdialPrefix', Name), ('callLimit', Count),
    ('prepaid', Bool), ('region', Name), ('timeout', Timeout),
    ('owner', BigInt), ('customer', BigInt), ('reseller', BigInt),
    ('changeDate', String), ('createDate', String)])

SipAlias = struct('SipAlias', [
    ('id', SipId), ('target', SipId), ('owner', BigInt), ('customer', BigInt),
    ('reseller', BigInt), ('changeDate', String)])

SipDomain = struct('SipDomain', [
    ('domain', Name), ('customer', BigInt), ('reseller', BigInt),
    ('changeDate', String), ('certificate', Text), ('private_key', Text),
    ('match_ip_address', String), ('match_sip_domain', String),
    ('verify_cert', Bool), ('require_cert', Bool)])

TrustedPeer = struct('TrustedPeer', [
    ('ip', limited(String, max_len=50)),
    ('protocol', limited(String, max_len=8)), ('tag', Name),
    ('description', String), ('reseller', BigInt), ('changeDate', String),
    ('customer', BigInt), ('owner', BigInt), ('callLimit', Count),
    ('msteams', Bool), ('tenant', String), ('authToken', String),
    ('carrierName', String), ('originator', String), ('prefix', Name),
    ('strip', Count), ('blocked', Int), ('prepaid', Bool),
    ('enumLookup', Bool), ('transit', Bool), ('tags', String),
    ('billingId', String)])

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
