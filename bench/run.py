"""`make bench`: the server against the floor, with wrk, on this machine.

For each backend (SQLite, then a private MariaDB): `ngnpro db init`, one
SIP domain by SOAP, then accounts bulk-inserted into exactly the tables
addAccount writes (accounts, Kamailio's subscriber and grp, properties; on
MariaDB aliases too, into ngnpro_sip_aliases and dbaliases); the server with
2 workers and the floor (bench/floor.py, 2 processes on one SO_REUSEPORT
port) on the same database file or schema. wrk then drives each call with
real rpc/encoded envelopes (a Lua script per call: random existing accounts
for reads and updates, fresh names for adds), keep-alive and
`Connection: close`; the getAccount runs alternate server, floor, floor,
server so that a drift of the shared machine's load hits both alike.
Writes bench/RESULTS.md.

    .venv/bin/python bench/run.py            # the full run (~12 minutes)
    BENCH_QUICK=1 .venv/bin/python bench/run.py   # a few minutes, small data
    BENCH_BACKENDS=sqlite ...                 # one backend only
    BENCH_CALLS=getAccount,addAccount ...     # some calls only
"""
import datetime
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from tests.soapcall import admin, envelope  # noqa: E402
from tests.support.mariadb import MariaDB, free_port  # noqa: E402
from tests.support.server import Server  # noqa: E402

QUICK = bool(os.environ.get('BENCH_QUICK'))
SECONDS = float(os.environ.get('BENCH_SECONDS') or (3 if QUICK else 8))
BACKENDS = (os.environ.get('BENCH_BACKENDS') or 'sqlite,mariadb').split(',')
SQLITE_ACCOUNTS = int(os.environ.get('BENCH_SQLITE_ACCOUNTS') or
                      (10000 if QUICK else 100000))
MARIADB_ACCOUNTS = int(os.environ.get('BENCH_MARIADB_ACCOUNTS') or
                       (20000 if QUICK else 1000000))
# A comma-separated subset of the calls (their names up to the first comma).
CALLS = [c for c in (os.environ.get('BENCH_CALLS') or '').split(',') if c]
BUILD_BUDGET = float(os.environ.get('BENCH_BUILD_SECONDS') or 300)
DOMAIN = 'bench.example.com'
ZONE = 'bench-zone.example.com'
ENUM_PREFIX = '4930'
CONNS = 32
WRITE_CONNS = 16
# A listing counts every match (the answer's total): at a million accounts
# one call takes about a second, and 32 connections would only queue.
LIST_CONNS = 4


class BenchMariaDB(MariaDB):
    """The test harness's private server, with a buffer pool that holds a
    million accounts (the harness keeps it tiny for fast test start-up)."""

    def extra_args(self):
        return ['--innodb-buffer-pool-size=1G', '--innodb-log-file-size=256M']


# -- data ---------------------------------------------------------------------

def load_accounts(url, accounts, aliases, budget):
    """Accounts straight into the server's tables, in chunks; stops early
    when the time budget is spent. -> (accounts written, seconds)."""
    from sqlalchemy import create_engine, insert
    from ngnpro.store.schema import Schema
    from ngnpro.store.sip.accounts import ha1_pair
    s = Schema()
    engine = create_engine(url)
    stamp = datetime.datetime.now().replace(microsecond=0)
    started = time.monotonic()
    chunk = 5000
    done = 0
    with engine.connect() as conn:
        base = conn.execute(s.sip_accounts.select().with_only_columns(
            s.sip_accounts.c.id).order_by(s.sip_accounts.c.id.desc())
            .limit(1)).scalar() or 0
    while done < accounts and time.monotonic() - started < budget:
        n = min(chunk, accounts - done)
        rows, subs, grps, props, als, dbals = [], [], [], [], [], []
        for i in range(done, done + n):
            user = 'user%07d' % i
            ha1, ha1b = ha1_pair(user, DOMAIN, 'Pw-%d' % i)
            account_id = base + i + 1
            rows.append({
                'id': account_id, 'username': user, 'domain': DOMAIN,
                'password': '', 'first_name': 'First%d' % (i % 1000),
                'last_name': 'Last%d' % (i % 997),
                'email': '%s@%s' % (user, DOMAIN), 'timezone': 'Europe/Amsterdam',
                'rpid': '', 'quota': 0, 'quickdial_prefix': '',
                'call_limit': 0, 'prepaid': False, 'region': '',
                'timeout': 35, 'owner': 0, 'customer': 0, 'reseller': 0,
                'create_date': stamp, 'change_date': stamp})
            subs.append({'username': user, 'domain': DOMAIN, 'password': '',
                         'ha1': ha1, 'ha1b': ha1b})
            grps.append({'username': user, 'domain': DOMAIN,
                         'grp': 'free-pstn', 'last_modified': stamp})
            props.append({'account_id': account_id, 'name': 'language',
                          'value': 'en'})
            if aliases and i % 10 == 0:
                alias = 'alias%07d' % i
                als.append({'username': alias, 'domain': DOMAIN,
                            'target_username': user, 'target_domain': DOMAIN,
                            'owner': 0, 'customer': 0, 'reseller': 0,
                            'change_date': stamp})
                dbals.append({'alias_username': alias, 'alias_domain': DOMAIN,
                              'username': user, 'domain': DOMAIN})
        with engine.begin() as conn:
            for table, batch in ((s.sip_accounts, rows), (s.subscriber, subs),
                                 (s.grp, grps),
                                 (s.sip_account_properties, props),
                                 (s.sip_aliases, als), (s.dbaliases, dbals)):
                if batch:
                    conn.execute(insert(table), batch)
        done += n
    with engine.begin() as conn:
        if url.startswith('sqlite'):
            conn.exec_driver_sql('ANALYZE')
        else:
            for t in (s.sip_accounts, s.subscriber, s.grp,
                      s.sip_account_properties):
                conn.exec_driver_sql('ANALYZE TABLE %s' % t.name)
    engine.dispose()
    return done, time.monotonic() - started


def soap(port, body):
    req = urllib.request.Request('http://127.0.0.1:%d/ngnpro/' % port,
                                 data=body, method='POST')
    req.add_header('Content-Type', 'text/xml; charset=UTF-8')
    req.add_header('SOAPAction', '""')
    try:
        with urllib.request.urlopen(req, timeout=300) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def provision(port):
    """What the write scenarios need, created the way a client does."""
    auth = admin()
    for port_name, op, args in (
            ('Sip', 'addDomain', [('domain', {'domain': DOMAIN})]),
            ('Dns', 'addZone', [('zone', {'name': ZONE, 'ttl': 3600,
                                          'nameservers': ['ns1.example.net',
                                                          'ns2.example.net']})]),
            ('Enum', 'addRange', [('range', {
                'id': {'prefix': ENUM_PREFIX, 'tld': 'e164.arpa'},
                'ttl': 3600, 'info': 'bench'})])):
        types = {'zone': 'DnsZone', 'range': 'EnumRange'}
        status, data = soap(port, envelope(port_name, op, args, auth,
                                           types=types))
        assert status == 200, data


# -- scenarios ----------------------------------------------------------------
# Placeholders in a body: @U@ an existing account's username, @N@ a fresh
# name, @D@ fresh digits, @O@ the listing offset.

def bodies(accounts):
    auth = admin()
    sid = {'username': '@U@', 'domain': DOMAIN}
    deep = max(0, accounts - accounts // 10)

    def listing(start, order='username', direction='ASC', prefix='user%'):
        return envelope('Sip', 'getAccounts', [('query', {
            'filter': {'username': prefix, 'domain': DOMAIN},
            'orderBy': {'attribute': order, 'direction': direction},
            'range': {'start': start, 'count': 20}})], auth)
    return [
        ('getAccount', envelope('Sip', 'getAccount', [('sipId', sid)], auth),
         'read'),
        ('getAccounts, username ASC, offset 0', listing('@O0@'), 'list'),
        ('getAccounts, changeDate DESC, offset 0',
         listing('@O0@', 'changeDate', 'DESC'), 'list'),
        ('getAccounts, username ASC, offset %d' % deep, listing('@OD@'),
         'list'),
        # A portal's search: a prefix that matches 100 accounts.
        ('getAccounts, 100 matches, username ASC', listing(
            '@O0@', prefix='user%05d%%' % (accounts // 200)), 'list'),
        ('addAccount', envelope('Sip', 'addAccount', [('account', {
            'id': {'username': '@N@', 'domain': DOMAIN},
            'password': 'Pw-@N@', 'firstName': 'New', 'groups': ['free-pstn'],
            'properties': [{'name': 'language', 'value': 'en'}]})], auth),
         'write'),
        ('updateAccount', envelope('Sip', 'updateAccount', [('account', {
            'id': sid, 'firstName': 'Upd@N@', 'groups': ['free-pstn'],
            'properties': [{'name': 'language', 'value': 'nl'}]})], auth),
         'write'),
        ('setCallDiversions', envelope('Sip', 'setCallDiversions', [
            ('sipId', sid), ('diversions', {
                'FUNC': 'sip:@N@@example.com',
                'FNOA': 'sip:voicemail@example.com'})], auth,
            types={'diversions': 'CallDiversions'}), 'write'),
        ('addNumber', envelope('Enum', 'addNumber', [('number', {
            'id': {'number': ENUM_PREFIX + '@D@', 'tld': 'e164.arpa'},
            'owner': 0, 'info': '', 'mappings': [{
                'type': 'sip', 'mapto': 'sip:@U@@' + DOMAIN,
                'priority': 5, 'ttl': 3600}]})], auth,
            types={'number': 'EnumNumber'}), 'write'),
        ('addRecord', envelope('Dns', 'addRecord', [('record', {
            'name': 'h@N@', 'zone': ZONE, 'type': 'A', 'value': '192.0.2.7',
            'owner': 0, 'ttl': 0, 'priority': 0})], auth,
            types={'record': 'DnsRecord'}), 'write'),
    ], deep


LUA = r'''
local tmpl = [==[%(body)s]==]
local accounts, deep, tag = %(accounts)d, %(deep)d, %(tag)d
local threads, counter = {}, 0
wrk.method = "POST"
wrk.path = "/ngnpro/"
wrk.headers["Content-Type"] = "text/xml; charset=UTF-8"
wrk.headers["SOAPAction"] = '""'
%(close)s
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(os.time() * 17 + tid * 7919 + tag)
end
function request()
  counter = counter + 1
  local b = tmpl
  b = b:gsub("@U@", string.format("user%%07d", math.random(0, accounts - 1)))
  b = b:gsub("@N@", string.format("b%%dt%%dn%%d", tag, tid, counter))
  b = b:gsub("@D@", string.format("%%d%%d%%06d", tag %% 10, tid %% 10, counter))
  b = b:gsub("@O0@", tostring(math.random(0, 5) * 20))
  b = b:gsub("@OD@", tostring(deep + math.random(0, 50) * 20))
  return wrk.format(nil, nil, nil, b)
end
'''


def render(body, accounts, deep, tag):
    """The body a Lua run sends first, in Python: checked before the run."""
    text = body.decode()
    text = text.replace('@U@', 'user%07d' % (accounts // 2))
    text = text.replace('@N@', 'b%dt9n0' % tag)
    text = text.replace('@D@', '%d9%06d' % (tag % 10, 999999))
    return text.replace('@O0@', '0').replace('@OD@', str(deep)).encode()


_UNIT = {'us': 0.001, 'ms': 1.0, 's': 1000.0, 'm': 60000.0}


def _ms(text):
    value, unit = re.match(r'([\d.]+)(us|ms|s|m)$', text).groups()
    return float(value) * _UNIT[unit]


def wrk(port, script, conns, seconds):
    out = subprocess.run(
        ['wrk', '-t2', '-c%d' % conns, '-d%ds' % seconds, '--latency',
         '--timeout', '30s', '-s', script, 'http://127.0.0.1:%d/ngnpro/' % port],
        capture_output=True, text=True, timeout=seconds + 60).stdout
    latency = dict(re.findall(r'^\s+(50|99)(?:\.0+)?%\s+(\S+)', out, re.M))
    if '50' not in latency:
        raise RuntimeError('wrk: %s' % out[-2000:])
    requests = int(re.search(r'(\d+) requests in', out).group(1))
    bad = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
    errors = re.search(r'Socket errors: (.*)', out)
    return {'rps': float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1)),
            'p50': _ms(latency['50']), 'p99': _ms(latency['99']),
            'requests': requests, 'non2xx': int(bad.group(1)) if bad else 0,
            'socket_errors': errors.group(1) if errors else ''}


# -- processes ----------------------------------------------------------------

def children(pid):
    try:
        with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def cpu_seconds(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def peak_rss_mib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    return 0.0


class Floor:
    def __init__(self, url):
        self.port = free_port()
        self.procs = [subprocess.Popen(
            [sys.executable, '-m', 'bench.floor', '--port', str(self.port),
             '--url', url], cwd=ROOT) for _ in range(2)]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(('127.0.0.1', self.port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)

    @property
    def pids(self):
        return [p.pid for p in self.procs]

    def stop(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def idle(port, body):
    """Wait for what wrk left queued (it closes its connections, the
    server still answers the calls it read) before the next run."""
    for _ in range(60):
        t0 = time.monotonic()
        soap(port, body)
        if time.monotonic() - t0 < 2:
            return


def measured(port, pids, script, conns, seconds):
    before = {p: cpu_seconds(p) for p in pids}
    result = wrk(port, script, conns, seconds)
    used = {p: cpu_seconds(p) - before[p] for p in pids}
    result['cpu_per_worker'] = [round(used[p], 2) for p in pids]
    result['cpu_ms_per_req'] = 1000 * sum(used.values()) / \
        max(1, result['requests'])
    return result


# -- one backend ----------------------------------------------------------------

def run_backend(name, work, url, accounts, aliases):
    log = print
    srv = Server(work, url, processes=2)
    srv.init_db()
    built, took = load_accounts(url, accounts, aliases, BUILD_BUDGET)
    log('%s: %d accounts bulk-inserted in %.0f s' % (name, built, took))
    srv.start(init=False)
    floor = None
    rows = []
    try:
        provision(srv.port)
        time.sleep(1)
        workers = children(srv.proc.pid)
        assert len(workers) == 2, workers
        floor = Floor(url)
        scenario_bodies, deep = bodies(built)
        tag = 0
        for call, body, kind in scenario_bodies:
            tag += 1
            if CALLS and call.split(',')[0] not in CALLS:
                continue
            first = render(body, built, deep, tag + 50)
            status, answer = soap(srv.port, first)
            if status != 200:
                log('%s %s: skipped, answers %d: %s' % (
                    name, call, status, answer[:300]))
                continue
            modes = [('keep-alive', '')]
            if kind == 'read':
                modes.append(('Connection: close',
                              'wrk.headers["Connection"] = "close"'))
            for mode, close in modes:
                tag += 1
                script = os.path.join(work, 'run%d.lua' % tag)
                with open(script, 'w') as f:
                    f.write(LUA % {'body': body.decode(), 'accounts': built,
                                   'deep': deep, 'tag': tag, 'close': close})
                conns = {'write': WRITE_CONNS, 'list': LIST_CONNS}.get(
                    kind, CONNS)
                row = {'backend': name, 'accounts': built, 'call': call,
                       'mode': mode, 'conns': conns}
                if kind == 'read':
                    # Warm both, then server, floor, floor, server.
                    wrk(srv.port, script, conns, 1)
                    wrk(floor.port, script, conns, 1)
                    order = ['server', 'floor', 'floor', 'server']
                    if QUICK:
                        order = ['server', 'floor']
                    got = {'server': [], 'floor': []}
                    for who in order:
                        port, pids = (srv.port, workers) if who == 'server' \
                            else (floor.port, floor.pids)
                        got[who].append(measured(port, pids, script, conns,
                                                 SECONDS))
                    row['server'] = got['server']
                    row['floor'] = got['floor']
                else:
                    row['server'] = [measured(srv.port, workers, script,
                                              conns, SECONDS)]
                rows.append(row)
                log(json.dumps(row))
                idle(srv.port, first)
        rss = [round(peak_rss_mib(p), 1) for p in workers]
        floor_rss = [round(peak_rss_mib(p), 1) for p in floor.pids]
    finally:
        if floor is not None:
            floor.stop()
        srv.stop()
    return {'backend': name, 'accounts': built, 'build_seconds': took,
            'rows': rows, 'rss': rss, 'floor_rss': floor_rss}


# -- report -------------------------------------------------------------------

def _mean(runs, key):
    return sum(r[key] for r in runs) / len(runs)


def report(results, started, command):
    lines = [
        '# Benchmark results',
        '',
        'Produced by `%s` on %s (%.0f minutes), this 2-core machine; the '
        'cores are shared with other work, so absolute figures are noisy. '
        'Server and floor runs of the same call are interleaved (server, '
        'floor, floor, server) and each ratio compares runs of one '
        'interleaving. wrk: 2 threads, %d s per run, 32 connections for '
        'getAccount, 4 for getAccounts, 16 for writes; the server runs 2 workers, the floor '
        '(bench/floor.py) 2 processes on one SO_REUSEPORT port.' % (
            command, time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
            (time.monotonic() - started) / 60, SECONDS),
        '',
        'Ratio: the server\'s req/s over the floor\'s for the same call and '
        'connection mode; for calls the floor does not answer, over the '
        'floor\'s getAccount (keep-alive) on the same backend. CPU/req: '
        'CPU time of both workers over the run / requests answered.',
        '',
        '| backend | call | connections | req/s | p50 ms | p99 ms | floor req/s '
        '| ratio | CPU ms/req | floor CPU ms/req | CPU s per worker |',
        '|---|---|---|---|---|---|---|---|---|---|---|',
    ]
    for res in results:
        floor_ref = None
        for row in res['rows']:
            if row['call'] == 'getAccount' and row['mode'] == 'keep-alive':
                floor_ref = _mean(row['floor'], 'rps')
        for row in res['rows']:
            s = row['server']
            rps = _mean(s, 'rps')
            floor = _mean(row['floor'], 'rps') if 'floor' in row else None
            ratio = rps / (floor or floor_ref) if (floor or floor_ref) else 0
            bad = sum(r['non2xx'] for r in s)
            lines.append('| %s (%s accounts) | %s | %d, %s | %.0f | %.1f | %.1f '
                         '| %s | %s | %.2f | %s | %s |%s' % (
                             res['backend'], '{:,}'.format(res['accounts']),
                             row['call'], row['conns'], row['mode'], rps,
                             _mean(s, 'p50'), max(r['p99'] for r in s),
                             '%.0f' % floor if floor else '—',
                             '%.0f%%%s' % (100 * ratio, '' if floor else '*'),
                             _mean(s, 'cpu_ms_per_req'),
                             '%.2f' % _mean(row['floor'], 'cpu_ms_per_req')
                             if floor else '—',
                             ' / '.join('%.1f' % sum(
                                 r['cpu_per_worker'][i] for r in s)
                                 for i in range(2)),
                             ' %d non-2xx' % bad if bad else ''))
    lines += ['', '\\* ratio to the floor\'s getAccount (keep-alive).', '']
    for res in results:
        lines.append('- %s: %s accounts bulk-inserted in %.0f s; peak RSS per '
                     'worker %s MiB (floor processes %s MiB).' % (
                         res['backend'], '{:,}'.format(res['accounts']),
                         res['build_seconds'],
                         ' / '.join('%.0f' % r for r in res['rss']),
                         ' / '.join('%.0f' % r for r in res['floor_rss'])))
    with open(os.path.join(HERE, 'RESULTS.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with open(os.path.join(HERE, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1)
    if not QUICK:
        _readme(lines[lines.index(next(
            line for line in lines if line.startswith('| backend'))):])
    print('\n'.join(lines))


def _readme(table):
    """The README's performance section is this table: from its header
    row to the next section, replaced."""
    path = os.path.join(os.path.dirname(HERE), 'README.md')
    with open(path) as f:
        text = f.read()
    start = text.index('\n## Performance\n')
    head = text.index('\n| backend |', start) + 1
    end = text.index('\n## ', head) + 1
    with open(path, 'w') as f:
        f.write(text[:head] + '\n'.join(table).rstrip('\n') + '\n\n'
                + text[end:])


def main():
    started = time.monotonic()
    results = []
    for backend in BACKENDS:
        work = tempfile.mkdtemp(prefix='ngnpro-bench-')
        if backend == 'sqlite':
            results.append(run_backend(
                'SQLite', work, 'sqlite:///%s/bench.sqlite' % work,
                SQLITE_ACCOUNTS, aliases=False))
        elif backend == 'mariadb':
            db = BenchMariaDB().start()
            try:
                results.append(run_backend(
                    'MariaDB', work, db.create_database('bench'),
                    MARIADB_ACCOUNTS, aliases=True))
            finally:
                db.stop()
    report(results, started, ('BENCH_QUICK=1 ' if QUICK else '') +
           'make bench')


if __name__ == '__main__':
    main()
