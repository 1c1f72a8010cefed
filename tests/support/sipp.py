"""PSTN gateways for end-to-end tests: SIPp (Debian sip-tester) as a UAS on
a loopback port, answering every INVITE with a fixed final reply that
carries the Request-URI it received (X-Request-URI) and its port
(X-Gateway-Port), so that a test sees, from the reply alone, which gateway
the proxy chose and how it rewrote the number.

And ``invite()``: a minimal UAC that sends one INVITE through the proxy,
answers a 407 challenge with digest credentials, ACKs the final reply and
returns it.
"""
import errno
import hashlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

from .mariadb import PrivateDaemon, die_with_parent, free_port, _tail

SCENARIO = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="ngnpro test PSTN gateway">
  <recv request="INVITE" crlf="true">
    <action>
      <ereg regexp="^INVITE ([^ ]+) SIP/2.0" search_in="msg"
            check_it="true" assign_to="line,ruri"/>
    </action>
  </recv>
  <Reference variables="line"/>
  <send>
    <![CDATA[

      SIP/2.0 {reply}
      [last_Via:]
      [last_From:]
      [last_To:];tag=gw[pid]-[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      X-Gateway-Port: [local_port]
      X-Request-URI: [$ruri]
      Content-Length: 0

    ]]>
  </send>
  <recv request="ACK"/>
</scenario>
"""


def find_sipp():
    return shutil.which('sipp')


class SippError(RuntimeError):
    pass


class SippGateway(PrivateDaemon):
    def __init__(self, reply='486 Busy Here', startup_timeout=10.0):
        self.reply = reply
        self.startup_timeout = startup_timeout
        self.proc = None
        self.port = None

    def start(self):
        self.tmpdir = tempfile.mkdtemp(prefix='ngnpro-sipp-')
        scenario = os.path.join(self.tmpdir, 'gateway.xml')
        with open(scenario, 'w') as f:
            # SIPp checks the status line when it loads the scenario.
            f.write(SCENARIO.replace('{reply}', self.reply))
        self.log = os.path.join(self.tmpdir, 'sipp.log')
        for attempt in range(3):
            self.port = free_port(socket.SOCK_DGRAM)
            with open(self.log, 'ab') as log:
                self.proc = subprocess.Popen(
                    [find_sipp(), '-sf', scenario, '-i', '127.0.0.1',
                     '-p', str(self.port), '-nostdin', '-trace_err',
                     '-error_file',
                     os.path.join(self.tmpdir, 'errors.log')],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=log, cwd=self.tmpdir, preexec_fn=die_with_parent)
            if self._wait_bound():
                return self
            self._kill()
        tail = _tail(self.log)
        self._cleanup_dir()
        raise SippError('sipp did not start: %s' % tail)

    def _wait_bound(self):
        """True once sipp holds its port (our own bind then fails)."""
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                try:
                    s.bind(('127.0.0.1', self.port))
                except OSError as exc:
                    if exc.errno == errno.EADDRINUSE:
                        return True
                    raise
            time.sleep(0.05)
        return False

    def _kill(self):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def stop(self):
        self._kill()
        self._cleanup_dir()


# -- a one-call UAC ---------------------------------------------------------

_STATUS = re.compile(r'^SIP/2\.0 (\d{3})')


def _header(message, name):
    m = re.search(r'^%s:\s*(.*?)\r?$' % re.escape(name), message,
                  re.M | re.I)
    return m and m.group(1)


def _digest(challenge, method, uri, username, password):
    params = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge))

    def md5(text):
        return hashlib.md5(text.encode()).hexdigest()
    ha1 = md5('%s:%s:%s' % (username, params['realm'], password))
    ha2 = md5('%s:%s' % (method, uri))
    fields = {'username': username, 'realm': params['realm'],
              'nonce': params['nonce'], 'uri': uri}
    if 'qop' in params:
        cnonce, nc = uuid.uuid4().hex[:16], '00000001'
        fields['response'] = md5(':'.join(
            (ha1, params['nonce'], nc, cnonce, 'auth', ha2)))
        text = ', '.join('%s="%s"' % kv for kv in fields.items())
        text += ', qop=auth, nc=%s, cnonce="%s"' % (nc, cnonce)
    else:
        fields['response'] = md5('%s:%s:%s' % (ha1, params['nonce'], ha2))
        text = ', '.join('%s="%s"' % kv for kv in fields.items())
    if 'opaque' in params:
        text += ', opaque="%s"' % params['opaque']
    return 'Digest ' + text + ', algorithm=MD5'


def invite(proxy_port, ruri, user, domain, password, timeout=10.0):
    """INVITE ``ruri`` as user@domain through the proxy on 127.0.0.1;
    returns the text of the final reply (None when none came)."""
    call_id = uuid.uuid4().hex
    tag = uuid.uuid4().hex[:8]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(('127.0.0.1', 0))
        s.settimeout(timeout)
        port = s.getsockname()[1]

        def request(method, cseq, branch, extra='', to_tag=''):
            to = '<%s>%s' % (ruri, ';tag=' + to_tag if to_tag else '')
            msg = ('%s %s SIP/2.0\r\n'
                   'Via: SIP/2.0/UDP 127.0.0.1:%d;rport;branch=%s\r\n'
                   'Max-Forwards: 10\r\n'
                   'From: <sip:%s@%s>;tag=%s\r\n'
                   'To: %s\r\n'
                   'Call-ID: %s@127.0.0.1\r\n'
                   'CSeq: %d %s\r\n'
                   'Contact: <sip:%s@127.0.0.1:%d>\r\n'
                   '%sContent-Length: 0\r\n\r\n'
                   % (method, ruri, port, branch, user, domain, tag, to,
                      call_id, cseq, method, user, port, extra))
            s.sendto(msg.encode(), ('127.0.0.1', proxy_port))

        def final(branch, cseq):
            """Wait for the final reply to our INVITE, ACK it."""
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    reply = s.recv(65535).decode(errors='replace')
                except socket.timeout:
                    return None
                m = _STATUS.match(reply)
                if not m or int(m.group(1)) < 200:
                    continue
                if not (_header(reply, 'CSeq') or '').startswith(
                        '%d ' % cseq):
                    continue        # a retransmission of an earlier one
                to_tag = re.search(r';tag=([^;>\s]+)',
                                   _header(reply, 'To') or '')
                request('ACK', cseq, branch,
                        to_tag=to_tag.group(1) if to_tag else '')
                return reply
            return None

        branch = 'z9hG4bK' + uuid.uuid4().hex[:16]
        request('INVITE', 1, branch)
        reply = final(branch, 1)
        if reply is None or _STATUS.match(reply).group(1) != '407':
            return reply
        auth = _digest(_header(reply, 'Proxy-Authenticate'), 'INVITE', ruri,
                       user, password)
        branch = 'z9hG4bK' + uuid.uuid4().hex[:16]
        request('INVITE', 2, branch, 'Proxy-Authorization: %s\r\n' % auth)
        return final(branch, 2)


def status(reply):
    return int(_STATUS.match(reply).group(1)) if reply else None


def header(reply, name):
    return _header(reply or '', name)
