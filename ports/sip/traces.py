"""SIP and media traces (spec §2.1 Tracing and media, §3.9): JSON carried
in xsd:string. SIP messages come from Kamailio's sip_trace table; media
sessions from the MediaProxy dispatcher configured in [mediaproxy] (with
none configured the lists are '[]' and a media trace fault 1060). Traces
show other people's calls: administrators only."""
import json

from spyne.model.primitive import Unicode

from ngnpro import mediaproxy
from ngnpro.faults import (INTERNAL_ERROR, MEDIA_TRACE_NOT_FOUND,
                           NGNProError, denied, invalid)
from ngnpro.store.rows import date_text
from ngnpro.store.sip import traces as store
from ngnpro.types.calls import MediaTraceFilter, SipTraceFilter

JSON = Unicode          # no length limit: a whole dialog


def _admin(call):
    if not call.principal.is_admin:
        raise denied('Permission denied: only the administrator may read '
                     'SIP and media traces')


def _dumps(value):
    return json.dumps(value, separators=(',', ':'))


def get_sip_trace(call, filter):
    _admin(call)
    callid = (getattr(filter, 'callId', None) or '').strip()
    if not callid:
        raise invalid('filter.callId is required')
    rows = store.messages(call.conn, call.schema, callid,
                          (filter.fromTag or '').strip(),
                          call.config.max_page_size)
    return _dumps([{
        'id': r['id'], 'direction': r['direction'], 'from_ip': r['fromip'],
        'to_ip': r['toip'], 'method': r['method'], 'status': r['status'],
        'time_stamp': date_text(r['time_stamp']), 'time_us': r['time_us'],
        'callid': r['callid'], 'fromtag': r['fromtag'], 'totag': r['totag'],
        'message': r['msg']} for r in rows])


def _dispatcher(call, command):
    try:
        return mediaproxy.command(call.config, command)
    except mediaproxy.MediaProxyError as exc:
        raise NGNProError(INTERNAL_ERROR, str(exc))


def get_media_summary(call):
    _admin(call)
    if not call.config.mediaproxy_dispatcher:
        return '[]'
    return _dumps(_dispatcher(call, 'summary'))


def get_media_sessions(call):
    _admin(call)
    if not call.config.mediaproxy_dispatcher:
        return '[]'
    return _dumps(_dispatcher(call, 'sessions'))


def get_media_trace(call, filter):
    _admin(call)
    callid = (getattr(filter, 'callId', None) or '').strip()
    from_tag = (getattr(filter, 'fromTag', None) or '').strip()
    missing = NGNProError(MEDIA_TRACE_NOT_FOUND, 'No media session for call '
                          '%s' % callid)
    if not callid or not call.config.mediaproxy_dispatcher:
        raise missing
    for session in _dispatcher(call, 'sessions'):
        if isinstance(session, dict) and session.get('call_id') == callid \
                and (not from_tag or session.get('from_tag') == from_tag):
            return _dumps({'duration': session.get('duration', 0),
                           'streams': session.get('streams', [])})
    raise missing


OPERATIONS = [
    ('getSipTrace', get_sip_trace, [('filter', SipTraceFilter)], JSON),
    ('getMediaTrace', get_media_trace, [('filter', MediaTraceFilter)], JSON),
    ('getMediaSummary', get_media_summary, [], JSON),
    ('getMediaSessions', get_media_sessions, [], JSON),
]
