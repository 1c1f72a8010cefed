"""Sip port call history, device locations and traces (spec §3.2, §3.3,
§3.9): times are Unix epoch integers."""
from .common import (Float, Int, SipId, String, StringArray, array, limited,
                     struct)

Epoch = limited(Int, ge=0)
Count = limited(Int, ge=0)

CallQuery = struct('CallQuery', [
    ('fromDate', Epoch), ('toDate', Epoch), ('limit', Count)])
CallsQuery = struct('CallsQuery', [
    ('placed', CallQuery), ('received', CallQuery)])
Call = struct('Call', [
    ('fromURI', String), ('toURI', String), ('fromHeader', String),
    ('startTime', Int), ('stopTime', Int), ('duration', Int),
    ('status', Int), ('price', Float), ('sessionId', String),
    ('fromTag', String), ('toTag', String), ('proxyIP', String),
    ('applicationTypes', StringArray)])
CallArray = array(Call, 'CallArray')
CallsResult = struct('CallsResult', [
    ('placed', CallArray), ('received', CallArray)])
CallStatistics = struct('CallStatistics', [
    ('calls', Int), ('price', Float), ('duration', Int)])
CallStatisticsResult = struct('CallStatisticsResult', [
    ('placed', CallStatistics), ('received', CallStatistics)])

SipDeviceLocation = struct('SipDeviceLocation', [
    ('address', String), ('port', Int), ('publicAddress', String),
    ('publicPort', Int), ('transport', String), ('userAgent', String),
    ('expires', Int)])
SipDeviceLocations = struct('SipDeviceLocations', [
    ('id', SipId),
    ('locations', array(SipDeviceLocation, 'SipDeviceLocationArray'))])
SipDeviceLocationsArray = array(SipDeviceLocations,
                                'SipDeviceLocationsArray')

_TRACE = [('nodeIp', limited(String, max_len=64)),
          ('callId', String), ('fromTag', limited(String, max_len=128)),
          ('toTag', limited(String, max_len=128))]
SipTraceFilter = struct('SipTraceFilter', _TRACE)
MediaTraceFilter = struct('MediaTraceFilter', _TRACE)
