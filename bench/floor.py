"""The floor: the least a Python server on Twisted can do to answer
getAccount, against which bench/run.py sets the real server's figures.

A bare twisted.web Resource, lxml to parse the request, the same indexed
lookups the server makes (the account, its groups, properties, ACL and
HA1, straight on the DB-API connection, on the reactor thread), lxml to
build the answer: the same bytes the server sends. No SOAP framework, no
validation, no rights, no thread pool, no access log. bench/run.py starts
two of these on one port (SO_REUSEPORT), as the server runs two workers.

    python -m bench.floor --port 9300 --url sqlite:///var/bench.sqlite
"""
import argparse
import socket

from lxml import etree

ENV = 'http://schemas.xmlsoap.org/soap/envelope/'
ENC = 'http://schemas.xmlsoap.org/soap/encoding/'
XSI = 'http://www.w3.org/2001/XMLSchema-instance'
NSMAP = {'SOAP-ENV': ENV, 'SOAP-ENC': ENC,
         'xsd': 'http://www.w3.org/2001/XMLSchema', 'xsi': XSI,
         'ngnpro': 'urn:AGProjects:NGNPro',
         'simple': 'urn:AGProjects:SoapSIMPLEProxy'}
SIP = 'urn:AGProjects:NGNPro:Sip'
TYPE = '{%s}type' % XSI
ARRAY_TYPE = '{%s}arrayType' % ENC
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)

# (member, column, xsi:type) in the order of the SipAccount type.
HEAD = [('password', 'password', 'xsd:string')]
TAIL = [('timezone', 'timezone', 'xsd:string'),
        ('rpid', 'rpid', 'xsd:string'), ('quota', 'quota', 'xsd:int'),
        ('quickdialPrefix', 'quickdial_prefix', 'xsd:string'),
        ('callLimit', 'call_limit', 'xsd:int'),
        ('prepaid', 'prepaid', 'xsd:boolean'),
        ('region', 'region', 'xsd:string'),
        ('timeout', 'timeout', 'xsd:nonNegativeInteger'),
        ('owner', 'owner', 'xsd:integer'),
        ('customer', 'customer', 'xsd:integer'),
        ('reseller', 'reseller', 'xsd:integer'),
        ('changeDate', 'change_date', 'xsd:string'),
        ('createDate', 'create_date', 'xsd:string')]
COLUMNS = ('id', 'username', 'domain', 'password', 'first_name', 'last_name',
           'email', 'timezone', 'rpid', 'quota', 'quickdial_prefix',
           'call_limit', 'prepaid', 'region', 'timeout', 'owner', 'customer',
           'reseller', 'change_date', 'create_date')


class Database:
    """The five lookups of getAccount on a plain DB-API connection."""

    def __init__(self, url):
        if url.startswith('sqlite'):
            import sqlite3
            self.conn = sqlite3.connect(url.split('///', 1)[1])
            self.mark = '?'
        else:
            from sqlalchemy.engine import make_url
            import pymysql
            u = make_url(url)
            self.conn = pymysql.connect(
                host=u.host, port=u.port or 3306, user=u.username,
                password=u.password or '', database=u.database,
                charset='utf8mb4', autocommit=True)
            self.mark = '%s'
        m = self.mark
        self.sql = {
            'account': 'SELECT %s FROM ngnpro_sip_accounts WHERE username = '
                       '%s AND domain = %s' % (', '.join(COLUMNS), m, m),
            'groups': 'SELECT grp FROM grp WHERE domain = %s AND username = '
                      '%s ORDER BY grp' % (m, m),
            'properties': 'SELECT name, value FROM '
                          'ngnpro_sip_account_properties WHERE account_id = '
                          '%s ORDER BY id' % m,
            'acl': 'SELECT ip, mask, tag FROM ngnpro_sip_account_acl WHERE '
                   'account_id = %s ORDER BY id' % m,
            'ha1': 'SELECT ha1 FROM subscriber WHERE domain = %s AND '
                   'username = %s' % (m, m)}

    def account(self, username, domain):
        cur = self.conn.cursor()
        cur.execute(self.sql['account'], (username, domain))
        row = cur.fetchone()
        if row is None:
            return None
        row = dict(zip(COLUMNS, row))
        cur.execute(self.sql['groups'], (domain, username))
        row['groups'] = [g for g, in cur.fetchall()]
        cur.execute(self.sql['properties'], (row['id'],))
        row['properties'] = cur.fetchall()
        cur.execute(self.sql['acl'], (row['id'],))
        row['acl'] = cur.fetchall()
        cur.execute(self.sql['ha1'], (domain, username))
        ha1 = cur.fetchone()
        row['ha1'] = ha1[0] if ha1 else ''
        cur.close()
        return row


def _text(value):
    if value is None:
        return ''
    if hasattr(value, 'strftime'):
        return value.strftime('%Y-%m-%d %H:%M:%S')
    return str(value)


def _scalar(parent, tag, kind, value):
    el = etree.SubElement(parent, tag, {TYPE: kind})
    if kind == 'xsd:boolean':
        el.text = 'true' if value else 'false'
    elif kind in ('xsd:int', 'xsd:integer', 'xsd:nonNegativeInteger'):
        el.text = str(int(value or 0))
    elif kind == 'xsd:string' and isinstance(value, str) and \
            len(value) == 26 and value[19:20] == '.':
        el.text = value[:19]        # SQLite keeps datetimes as text
    else:
        el.text = _text(value)
    return el


def _array(parent, tag, item_type, n):
    return etree.SubElement(parent, tag, {
        TYPE: 'SOAP-ENC:Array', ARRAY_TYPE: '%s[%d]' % (item_type, n)})


def answer(row):
    env = etree.Element('{%s}Envelope' % ENV, nsmap=NSMAP)
    env.set('{%s}encodingStyle' % ENV, ENC)
    body = etree.SubElement(env, '{%s}Body' % ENV)
    wrapper = etree.SubElement(body, '{%s}getAccountResponse' % SIP,
                               nsmap={'ns1': SIP})
    ret = etree.SubElement(wrapper, 'return', {TYPE: 'ngnpro:SipAccount'})
    sid = etree.SubElement(ret, 'id', {TYPE: 'ngnpro:SipId'})
    _scalar(sid, 'username', 'xsd:string', row['username'])
    _scalar(sid, 'domain', 'xsd:string', row['domain'])
    _scalar(ret, 'password', 'xsd:string', row['password'])
    _scalar(ret, 'ha1', 'xsd:string', row['ha1'])
    _scalar(ret, 'firstName', 'xsd:string', row['first_name'])
    _scalar(ret, 'lastName', 'xsd:string', row['last_name'])
    _scalar(ret, 'email', 'xsd:string', row['email'])
    acl = _array(ret, 'acl', 'ngnpro:SubscriberACL', len(row['acl']))
    for ip, mask, tag in row['acl']:
        item = etree.SubElement(acl, 'item', {TYPE: 'ngnpro:SubscriberACL'})
        _scalar(item, 'ip', 'xsd:string', ip)
        _scalar(item, 'mask', 'xsd:int', mask)
        _scalar(item, 'tag', 'xsd:string', tag)
    groups = _array(ret, 'groups', 'xsd:string', len(row['groups']))
    for g in row['groups']:
        _scalar(groups, 'item', 'xsd:string', g)
    props = _array(ret, 'properties', 'ngnpro:Property',
                   len(row['properties']))
    for name, value in row['properties']:
        item = etree.SubElement(props, 'item', {TYPE: 'ngnpro:Property'})
        _scalar(item, 'name', 'xsd:string', name)
        _scalar(item, 'value', 'xsd:string', value)
    for member, column, kind in TAIL:
        _scalar(ret, member, kind, row[column])
    return etree.tostring(env, xml_declaration=True, encoding='UTF-8')


def make_resource(db):
    from twisted.web.resource import Resource

    class Floor(Resource):
        isLeaf = True

        def render_POST(self, request):
            root = etree.fromstring(request.content.read(), PARSER)
            op = root.find('{%s}Body' % ENV)[0]
            sip = op.find('sipId')
            row = db.account(sip.findtext('username'),
                             sip.findtext('domain'))
            request.setHeader(b'content-type', b'text/xml; charset=utf-8')
            if row is None:
                request.setResponseCode(500)
                return b'no such account'
            return answer(row)
    return Floor()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--url', required=True)
    args = ap.parse_args()
    from twisted.internet import reactor
    from twisted.web.server import Site
    site = Site(make_resource(Database(args.url)),
                parsePOSTFormSubmission=False)
    site.noisy = False
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(('127.0.0.1', args.port))
    sock.listen(1024)
    sock.setblocking(False)
    reactor.adoptStreamPort(sock.fileno(), socket.AF_INET, site)
    sock.close()
    reactor.run()


if __name__ == '__main__':
    main()
