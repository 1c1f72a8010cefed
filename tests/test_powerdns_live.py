"""How the server tells PowerDNS (ngnpro.live): only after the commit, once
per call whatever the number of changes, for every configured PowerDNS;
a failure is logged and recorded and never fails the SOAP call. A stand-in
pdns_control records its invocations (the real one is driven in
test_powerdns_e2e)."""
import stat

import pytest

from ngnpro import live
from tests.helpers import rows
from tests.soapcall import Client, SoapFault, admin
from tests.support.mariadb import free_port


@pytest.fixture
def control(tmp_path, dispatcher):
    """A pdns_control that appends its arguments to a log; set it up with
    two PowerDNS sockets. Returns a function giving the calls so far."""
    log = tmp_path / 'calls.log'
    script = tmp_path / 'pdns_control'
    script.write_text('#!/bin/sh\necho "$@" >> %s\n' % log)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    dispatcher.config.powerdns_control = str(script)
    dispatcher.config.powerdns_socket_dirs = ['/run/pdns-a', '/run/pdns-b']

    def calls():
        if not log.exists():
            return []
        lines = log.read_text().splitlines()
        log.unlink()
        return lines
    return calls


def test_one_rediscover_and_purge_per_call_per_powerdns(dispatcher, control):
    dns = Client(dispatcher, 'Dns', admin())
    dns('addZone', ('zone', {'name': 'example.com'}))
    assert control() == [
        '--socket-dir=/run/pdns-a rediscover',
        '--socket-dir=/run/pdns-a purge example.com$',
        '--socket-dir=/run/pdns-b rediscover',
        '--socket-dir=/run/pdns-b purge example.com$']
    dns('addRecord', ('record', {'zone': 'example.com', 'name': 'www',
                                 'type': 'A', 'value': '192.0.2.1'}))
    assert control() == ['--socket-dir=/run/pdns-a purge example.com$',
                         '--socket-dir=/run/pdns-b purge example.com$']
    dispatcher.config.powerdns_socket_dirs = []
    enum = Client(dispatcher, 'Enum', admin())
    enum('addRange', ('range', {'id': {'prefix': '31', 'tld': 'e164.arpa'}}))
    assert control() == ['rediscover', 'purge 1.3.e164.arpa$']
    # Three mappings changed in one call: one purge.
    enum('addNumber', ('number', {
        'id': {'number': '3120', 'tld': 'e164.arpa'}, 'mappings': [
            {'type': 'sip', 'mapto': 'sip:a@example.com'},
            {'type': 'mailto', 'mapto': 'mailto:a@example.com'},
            {'type': 'tel', 'mapto': 'tel:+3120'}]}))
    assert control() == ['purge 1.3.e164.arpa$']
    # Fancy records are not DNS data, reads change nothing.
    dns('addFancyRecord', ('record', {'zone': 'example.com', 'name': 'a',
                                      'type': 'MBOXFW',
                                      'value': 'a@example.net'}))
    dns('getZones', ('query', {'filter': {}}))
    enum('getNumber', ('enumId', {'number': '3120', 'tld': 'e164.arpa'}))
    assert control() == []


def test_nothing_is_told_about_a_refused_call(dispatcher, control):
    dns = Client(dispatcher, 'Dns', admin())
    dns('addZone', ('zone', {'name': 'example.com'}))
    control()
    with pytest.raises(SoapFault):
        dns('addRecord', ('record', {'zone': 'example.com', 'name': 'www',
                                     'type': 'A', 'value': 'not-an-ip'}))
    with pytest.raises(SoapFault):
        dns('addZone', ('zone', {'name': 'example.com'}))
    assert control() == []


def test_failures_are_recorded_and_never_fail_the_call(dispatcher, tmp_path):
    script = tmp_path / 'pdns_control'
    script.write_text('#!/bin/sh\necho "Unable to connect to remote" >&2\n'
                      'exit 1\n')
    script.chmod(0o755)
    cfg = dispatcher.config
    cfg.powerdns_control = str(script)
    cfg.powerdns_socket_dirs = [str(tmp_path / 'nowhere')]
    dns = Client(dispatcher, 'Dns', admin())
    dns('addZone', ('zone', {'name': 'example.com'}))
    assert dns('getZone', ('zone', 'example.com'))['name'] == 'example.com'
    target = 'powerdns:%s' % (tmp_path / 'nowhere')
    got = {(r['target'], r['method']): r for r in live.results()}
    assert got[(target, 'rediscover')]['ok'] is False
    assert got[(target, 'purge')]['error'] == 'Unable to connect to remote'
    # A command that does not exist, and an API nobody listens on.
    cfg.powerdns_control = str(tmp_path / 'missing')
    cfg.powerdns_socket_dirs = []
    cfg.powerdns_api_urls = ['http://127.0.0.1:%d' % free_port()]
    dns('addRecord', ('record', {'zone': 'example.com', 'name': 'www',
                                 'type': 'A', 'value': '192.0.2.1'}))
    got = {(r['target'], r['method']): r for r in live.results()}
    missing = got[('powerdns:' + str(tmp_path / 'missing'), 'purge')]
    assert missing['ok'] is False and 'No such file' in missing['error']
    api = got[('powerdns-api:' + cfg.powerdns_api_urls[0], 'cache/flush')]
    assert api['ok'] is False and 'refused' in api['error'].lower()
    assert len(rows(dispatcher, 'dns_records')) == 1
