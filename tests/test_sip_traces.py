"""SIP and media traces (spec §2.1, §3.9): SIP messages from sip_trace rows
as Kamailio's siptrace writes them, media sessions from a MediaProxy
dispatcher's management interface. MediaProxy is not packaged for Debian:
the dispatcher here is a stand-in speaking its management protocol (one
command per line, one JSON line back, 'error' for an unknown command),
plain and over TLS."""
import datetime
import json
import socket
import ssl
import subprocess
import threading

import pytest

from tests.soapcall import Client, SoapFault, admin

SUMMARY = [{'ip': '192.0.2.20', 'version': '2.6.1', 'uptime': 86400,
            'status': 'active', 'bps_relayed': 64000, 'session_count': 1,
            'stream_count': {'audio': 1, 'video': 0}}]
STREAM = {'media_type': 'audio', 'status': 'active', 'timeout_wait': 0,
          'caller_remote': '198.51.100.7:40000',
          'callee_remote': '203.0.113.9:50000',
          'caller_local': '192.0.2.20:50012',
          'callee_local': '192.0.2.20:50014', 'caller_codec': 'opus',
          'callee_codec': 'opus', 'caller_bytes': 123456,
          'callee_bytes': 654321, 'start_time': 1715000000,
          'end_time': None, 'caller_packets': 2400, 'callee_packets': 2398}
SESSIONS = [{'call_id': 'a84b4c76e66710@pc33.example.com',
             'from_tag': '1928301774', 'to_tag': 'as6151ad25',
             'from_uri': 'sip:alice@example.com',
             'to_uri': 'sip:bob@example.com', 'caller_ua': 'Blink',
             'callee_ua': 'Sylk', 'duration': 125, 'streams': [STREAM]},
            {'call_id': 'other@example.com', 'from_tag': 'x', 'to_tag': 'y',
             'duration': 3, 'streams': []}]


class Dispatcher(threading.Thread):
    """A MediaProxy dispatcher's management port."""

    def __init__(self, context=None):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.context = context
        self.commands = []

    def run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                if self.context is not None:
                    conn = self.context.wrap_socket(conn, server_side=True)
                self.serve(conn.makefile('rwb'))
            except (OSError, ssl.SSLError):
                pass
            finally:
                conn.close()

    def serve(self, f):
        for raw in f:
            line = raw.decode().strip()
            self.commands.append(line)
            if line in ('quit', 'exit'):
                return
            answer = {'summary': SUMMARY, 'sessions': SESSIONS}.get(line)
            f.write((json.dumps(answer) if answer is not None
                     else 'error').encode() + b'\r\n')
            f.flush()

    def stop(self):
        self.sock.close()


@pytest.fixture
def sip(dispatcher):
    return Client(dispatcher, 'Sip', admin())


@pytest.fixture
def relay(dispatcher):
    d = Dispatcher()
    d.start()
    dispatcher.config.mediaproxy_dispatcher = '127.0.0.1:%d' % d.port
    dispatcher.config.mediaproxy_tls = False
    yield d
    d.stop()


def fault(call, *args):
    with pytest.raises(SoapFault) as info:
        call(*args)
    return info.value.code, info.value.string


TRACE = {'nodeIp': '10.0.0.11', 'callId': 'a84b4c76e66710@pc33.example.com',
         'fromTag': '1928301774', 'toTag': 'as6151ad25'}


def trace_row(i, direction, method, status, fromip, toip, fromtag, totag,
              msg, callid=TRACE['callId']):
    """A sip_trace row as siptrace inserts it."""
    return {'time_stamp': datetime.datetime(2024, 5, 6, 10, 0, i),
            'time_us': 1000 * i, 'callid': callid, 'traced_user': '',
            'msg': msg, 'method': method, 'status': status, 'fromip': fromip,
            'toip': toip, 'fromtag': fromtag, 'totag': totag,
            'direction': direction}


def test_sip_trace_of_a_dialog(sip, dispatcher):
    invite = ('INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: %s\r\n'
              'From: <sip:alice@example.com>;tag=1928301774\r\n\r\n'
              % TRACE['callId'])
    rows = [
        trace_row(0, 'in', 'INVITE', '', 'udp:198.51.100.7:5060',
                  'udp:10.0.0.11:5060', '1928301774', '', invite),
        trace_row(1, 'out', 'INVITE', '200', 'udp:10.0.0.11:5060',
                  'udp:198.51.100.7:5060', '1928301774', 'as6151ad25',
                  'SIP/2.0 200 OK\r\n\r\n'),
        # The callee hangs up: the tags swap places.
        trace_row(3, 'in', 'BYE', '', 'udp:203.0.113.9:5060',
                  'udp:10.0.0.11:5060', 'as6151ad25', '1928301774',
                  'BYE sip:alice@198.51.100.7 SIP/2.0\r\n\r\n'),
        # Another dialog of the same Call-ID (a fork) and another call.
        trace_row(2, 'in', 'INVITE', '', 'udp:198.51.100.8:5060',
                  'udp:10.0.0.11:5060', 'zzz', '', 'INVITE x\r\n\r\n'),
        trace_row(2, 'in', 'INVITE', '', 'udp:198.51.100.8:5060',
                  'udp:10.0.0.11:5060', '1928301774', '', 'x\r\n\r\n',
                  callid='other@example.com'),
    ]
    with dispatcher.store.engine.begin() as conn:
        conn.execute(dispatcher.store.schema.sip_trace.insert(), rows)
    got = json.loads(sip('getSipTrace', ('filter', TRACE),
                         filter='SipTraceFilter'))
    assert [(m['method'], m['direction'], m['status']) for m in got] == [
        ('INVITE', 'in', ''), ('INVITE', 'out', '200'), ('BYE', 'in', '')]
    first = got[0]
    assert first['message'] == invite
    assert (first['from_ip'], first['to_ip']) == \
        ('udp:198.51.100.7:5060', 'udp:10.0.0.11:5060')
    assert first['time_stamp'] == '2024-05-06 10:00:00'
    assert isinstance(first['id'], int)
    # Without a tag: every message of the Call-ID.
    got = json.loads(sip('getSipTrace', ('filter', dict(TRACE, fromTag=''))))
    assert len(got) == 4
    assert json.loads(sip('getSipTrace', ('filter', dict(
        TRACE, callId='nothing@example.com')))) == []
    assert fault(sip, 'getSipTrace', ('filter', dict(TRACE, callId='')))[0] \
        == 103


def test_traces_are_for_the_administrator(dispatcher, relay):
    from tests.test_sip_port import reseller_with_customer
    _, reseller, customer = reseller_with_customer(dispatcher)
    for who in (reseller, customer):
        other = Client(dispatcher, 'Sip', admin(impersonate=who))
        for op, args in (('getSipTrace', [('filter', TRACE)]),
                         ('getMediaTrace', [('filter', TRACE)]),
                         ('getMediaSummary', []),
                         ('getMediaSessions', [])):
            assert fault(other, op, *args)[0] == 101


def test_no_media_relay_configured(sip, dispatcher):
    assert dispatcher.config.mediaproxy_dispatcher == ''
    assert sip('getMediaSummary') == '[]'
    assert sip('getMediaSessions') == '[]'
    assert fault(sip, 'getMediaTrace', ('filter', TRACE)) == \
        (1060, 'No media session for call %s' % TRACE['callId'])


def test_media_from_the_dispatcher(sip, relay):
    assert json.loads(sip('getMediaSummary')) == SUMMARY
    assert json.loads(sip('getMediaSessions')) == SESSIONS
    got = json.loads(sip('getMediaTrace', ('filter', TRACE),
                         filter='MediaTraceFilter'))
    assert got == {'duration': 125, 'streams': [STREAM]}
    assert fault(sip, 'getMediaTrace', ('filter', dict(
        TRACE, fromTag='nope')))[0] == 1060
    assert fault(sip, 'getMediaTrace', ('filter', dict(
        TRACE, callId='gone@example.com')))[0] == 1060
    # Each call is one command and a clean quit.
    assert relay.commands[:2] == ['summary', 'quit']


def test_unreachable_dispatcher_is_a_clear_fault(sip, dispatcher):
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    dispatcher.config.mediaproxy_dispatcher = '127.0.0.1:%d' % port
    dispatcher.config.mediaproxy_tls = False
    code, text = fault(sip, 'getMediaSessions')
    assert code == 900 and 'MediaProxy dispatcher 127.0.0.1:%d' % port in text


def test_media_over_tls_with_a_verified_dispatcher(sip, dispatcher,
                                                   tmp_path):
    cert, key = tmp_path / 'cert.pem', tmp_path / 'key.pem'
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048',
                    '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1',
                    '-addext', 'subjectAltName=IP:127.0.0.1',
                    '-keyout', str(key), '-out', str(cert)], check=True,
                   capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    d = Dispatcher(context)
    d.start()
    try:
        dispatcher.config.mediaproxy_dispatcher = '127.0.0.1:%d' % d.port
        dispatcher.config.mediaproxy_tls = True
        dispatcher.config.mediaproxy_tls_ca = str(cert)
        assert json.loads(sip('getMediaSummary')) == SUMMARY
        # A certificate the CA file does not vouch for is refused.
        other = tmp_path / 'other.pem'
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048',
                        '-nodes', '-subj', '/CN=other', '-days', '1',
                        '-keyout', str(tmp_path / 'k2.pem'),
                        '-out', str(other)], check=True, capture_output=True)
        dispatcher.config.mediaproxy_tls_ca = str(other)
        code, text = fault(sip, 'getMediaSummary')
        assert code == 900 and 'CERTIFICATE_VERIFY_FAILED' in text
    finally:
        d.stop()
