"""Call history, monthly statistics and registered devices of an account
(spec §2.1 Self-care, §3.3, §5.22-23), read from what Kamailio writes:
acc (with the extra columns of docs/subscriber-settings.md) and location.
Times go out as Unix epoch integers, ``expires`` as seconds left."""
import datetime
import re
import time

from ngnpro.store.sip import calls as store
from ngnpro.types.calls import (CallsQuery, CallsResult, CallStatisticsResult,
                                SipDeviceLocationsArray)
from ngnpro.types.common import SipId, SipIdArray
from ports.common import check_array

from . import lookup

DEFAULT_LIMIT = 50
_QP = re.compile('=')


def _epoch(value):
    return int(time.mktime(value.timetuple())) if value else 0


def _local(epoch):
    return datetime.datetime.fromtimestamp(epoch) if epoch else None


def qp_safe(text):
    """The client quoted-printable-decodes these fields: '=' must travel
    as =3D, or ';tag=ab12' would arrive as ';tag\\xab12'."""
    return _QP.sub('=3D', text or '')


def _address(user, domain):
    return 'sip:%s@%s' % (user, domain) if user and domain else ''


def _call(row, hangup):
    start = _epoch(row['time'])
    stop = start
    if store.answered(row):
        stop = _epoch(hangup)       # 0: still in progress
    return {
        'fromURI': qp_safe(_address(row['src_user'], row['src_domain'])),
        'toURI': qp_safe(_address(row['dst_ouser'] or row['dst_user'],
                                  row['dst_domain'])),
        'fromHeader': qp_safe(row['from_header']),
        'startTime': start, 'stopTime': stop,
        'duration': max(0, stop - start) if stop else 0,
        'status': int(row['sip_code']) if (row['sip_code'] or '').isdigit()
        else 0,
        'price': row['price'], 'sessionId': qp_safe(row['callid']),
        'fromTag': qp_safe(row['from_tag']), 'toTag': qp_safe(row['to_tag']),
        'proxyIP': row['proxy_ip'] or '',
        'applicationTypes': [qp_safe(row['media'])] if row['media'] else []}


def _direction(call, row, direction, query):
    if query is None:
        return []
    limit = query.limit if query.limit is not None else DEFAULT_LIMIT
    found = store.calls(call.conn, call.schema, row['username'],
                        row['domain'], direction, _local(query.fromDate),
                        _local(query.toDate),
                        min(limit, call.config.max_page_size))
    return [_call(r, hangup) for r, hangup in found]


def get_calls(call, sip_id, query):
    row = lookup.account(call, sip_id)
    return {d: _direction(call, row, d, getattr(query, d, None))
            for d in (store.PLACED, store.RECEIVED)}


def month_start(now=None):
    now = now or datetime.datetime.now()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def get_call_statistics(call, sip_id, query):
    """This month's totals; like the legacy server, whatever dates the
    query carries (the client overwrites them anyway)."""
    row = lookup.account(call, sip_id)
    out = {}
    for d in (store.PLACED, store.RECEIVED):
        calls, price, duration = store.totals(
            call.conn, call.schema, row['username'], row['domain'], d,
            month_start())
        out[d] = {'calls': calls, 'price': price, 'duration': duration}
    return out


# -- registrations -----------------------------------------------------------

_HOSTPORT = re.compile(r'^(\[[^\]]+\]|[^:;]+)(?::([0-9]+))?')


def _uri_parts(uri):
    """(host, port or None, transport param or '') of a SIP URI."""
    text = (uri or '').strip().strip('<>')
    scheme, _, rest = text.partition(':')
    rest = rest.rpartition('@')[2] if '@' in rest else rest
    hostpart, _, params = rest.partition(';')
    m = _HOSTPORT.match(hostpart)
    transport = ''
    for p in params.split(';'):
        k, _, v = p.partition('=')
        if k.strip().lower() == 'transport':
            transport = v.strip().lower()
    if scheme.lower() == 'sips' and not transport:
        transport = 'tls'
    if not m:
        return '', None, transport
    return m.group(1).strip('[]'), \
        int(m.group(2)) if m.group(2) else None, transport


def _location(row, now):
    host, port, transport = _uri_parts(row['contact'])
    public, public_port, public_transport = _uri_parts(row['received'])
    socket_proto = (row['socket'] or '').partition(':')[0].lower()
    transport = public_transport or transport or socket_proto or 'udp'
    expires = _epoch(row['expires'])
    return {'address': host,
            'port': port or (5061 if transport == 'tls' else 5060),
            'publicAddress': public, 'publicPort': public_port or 0,
            'transport': transport, 'userAgent': row['user_agent'] or '',
            'expires': max(0, expires - now)}


def get_sip_device_locations(call, sip_ids):
    now = int(time.time())
    out = []
    for sip_id in check_array(call, sip_ids, 'sipIds'):
        row = lookup.account(call, sip_id)
        locations = [_location(r, now) for r in store.locations(
            call.conn, call.schema, row['username'], row['domain'])
            if _epoch(r['expires']) > now]
        out.append({'id': {'username': row['username'],
                           'domain': row['domain']},
                    'locations': locations})
    return out


OPERATIONS = [
    ('getCalls', get_calls, [('sipId', SipId), ('query', CallsQuery)],
     CallsResult),
    ('getCallStatistics', get_call_statistics,
     [('sipId', SipId), ('query', CallsQuery)], CallStatisticsResult),
    ('getSipDeviceLocations', get_sip_device_locations,
     [('sipIds', SipIdArray)], SipDeviceLocationsArray),
]
