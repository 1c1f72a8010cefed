"""After-commit effects on running servers: Kamailio RPC reloads and
PowerDNS cache purges, sent until they succeed.

Kamailio reads subscriber, grp and dbaliases per request, but caches the
domain and address tables; after a committed change it must be told to
reload them (native-schemas B1). The JSON-RPC datagram transport of jsonrpcs
needs nothing but a Unix socket.

PowerDNS caches answers (packet and query caches, negative answers for a
minute) and the list of its zones (zone-cache-refresh-interval, 5 minutes);
after a committed change ``pdns_control rediscover`` makes it see a new or
deleted zone and ``pdns_control purge <zone>$`` forgets what it cached
about the zone (native-schemas B2). Its HTTP API can only flush exact
names, so through the API every changed name is flushed.

A change is committed whether or not its effect reaches the server, so an
effect that fails (Kamailio restarting, its socket missing) is not dropped:
it is kept in the ``ngnpro_pending_reloads`` table and sent again with a
growing delay until it succeeds, by this process or any other worker or
server on the database (a server that starts sends what was left). Effects
go through one lane per target (one Kamailio, one PowerDNS): never two at a
time to one target (two concurrent reloads of one table can crash
Kamailio, which also rate-limits them), and calls that commit while an
effect is being sent share the next one instead of sending their own.
While a target is failing, calls do not wait for it: their effects join
the pending ones.
"""
import fcntl
import hashlib
import json
import logging
import os
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import namedtuple

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

log = logging.getLogger('ngnpro')

KAMAILIO, PDNS_CONTROL, PDNS_API = 'kamailio', 'pdns_control', 'powerdns_api'
# JSON-RPC errors that no retry can cure: the module is not loaded, or the
# command does not take these parameters.
_PERMANENT_RPC_ERRORS = {-32601, -32602}

# One effect. argument: the JSON parameters of a Kamailio command, the zone
# of a purge, the name of an API cache flush; '' for none.
Job = namedtuple('Job', 'kind target action argument')


def _digest(job):
    return hashlib.sha1('\0'.join(job).encode()).hexdigest()


def label(job, config):
    """The target as status pages name it."""
    if job.kind == KAMAILIO:
        return 'kamailio:' + job.target
    if job.kind == PDNS_CONTROL:
        return 'powerdns:%s' % (job.target or config.powerdns_control)
    return 'powerdns-api:' + job.target


# -- last outcomes -------------------------------------------------------------

# The last outcome of each kind of reload in this process, for the status
# the server reports about itself: {(target, method): {...}}.
_results = {}
_results_lock = threading.Lock()


def record(target, method, error=None):
    with _results_lock:
        _results[(target, method)] = {
            'target': target, 'method': method, 'ok': error is None,
            'error': error or '', 'time': time.strftime(
                '%Y-%m-%d %H:%M:%S', time.localtime())}


def results():
    """The last outcome of every reload this process sent, oldest first."""
    with _results_lock:
        return sorted((dict(r) for r in _results.values()),
                      key=lambda r: r['time'])


# -- what a call asks for --------------------------------------------------------

def schedule_reload(call, method, *params):
    """Queue a Kamailio command to run once the unit of work has committed
    (and only then: a rolled-back change must not be loaded), once per
    call."""
    path = call.config.kamailio_rpc_socket
    if path:
        _hook(call).add(Job(KAMAILIO, path, method, json.dumps(list(params))))


def powerdns_changed(call, zone, names=(), new_zone=False):
    """After the commit, make PowerDNS see the changes of ``zone``: the
    zone was created or deleted (new_zone), or records at ``names``
    (absolute) changed. Coalesced: one purge per PowerDNS per call whatever
    the number of changes."""
    cfg = call.config
    if not (cfg.powerdns_control or cfg.powerdns_api_urls):
        return
    hook = _hook(call)
    changed = {zone}
    for name in names:
        # A new name can turn its parents from NXDOMAIN into empty
        # non-terminals: those cached answers change too.
        while name != zone and name.endswith('.' + zone):
            changed.add(name)
            name = name.split('.', 1)[1]
    if cfg.powerdns_control:
        for socket_dir in cfg.powerdns_socket_dirs or ['']:
            if new_zone:
                hook.add(Job(PDNS_CONTROL, socket_dir, 'rediscover', ''))
            hook.add(Job(PDNS_CONTROL, socket_dir, 'purge', zone))
    for url in cfg.powerdns_api_urls:
        for name in sorted(changed):
            hook.add(Job(PDNS_API, url, 'cache/flush', name))


def _hook(call):
    for hook in call.after_commit:
        if isinstance(hook, _AfterCommit):
            return hook
    hook = _AfterCommit(call.config)
    call.after_commit.append(hook)
    return hook


class _AfterCommit:
    """The effects of one call, in the order they were asked for."""

    def __init__(self, config):
        self.config = config
        self.jobs = {}

    def add(self, job):
        self.jobs[job] = None

    def __call__(self):
        (_engine or _transient).submit(self.config, list(self.jobs))


# -- sending ---------------------------------------------------------------------

def kamailio_rpc(socket_path, method, params=(), timeout=2.0):
    """Send one JSON-RPC command (with positional ``params``) to Kamailio's
    datagram socket; returns the decoded reply."""
    request = {'jsonrpc': '2.0', 'method': method, 'id': 1}
    if params:
        request['params'] = list(params)
    request = json.dumps(request).encode()
    # The reply comes back to our own bound socket, in a private directory.
    with tempfile.TemporaryDirectory(prefix='ngnpro-rpc-') as tmp, \
            socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(os.path.join(tmp, 'reply.sock'))
        sock.settimeout(timeout)
        sock.sendto(request, socket_path)
        data, _ = sock.recvfrom(65536)
        return json.loads(data.decode() or '{}')


class _Lock:
    """Across the processes of this host: one sender at a time per target
    (the workers of a server, other servers sharing the socket)."""

    def __init__(self, key):
        name = hashlib.sha1(key.encode()).hexdigest()[:16]
        self.path = os.path.join(tempfile.gettempdir(),
                                 'ngnpro-reload-%s.lock' % name)
        self.fd = None

    def __enter__(self):
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except OSError:
            # Not ours (another user's file): serialised in-process only.
            if self.fd is not None:
                os.close(self.fd)
            self.fd = None
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            os.close(self.fd)     # releases the lock


def send(config, jobs):
    """Send the jobs of one target, in order; -> {job: None (sent), or
    (error, retry)}. Records every outcome; never raises."""
    kind, target = jobs[0].kind, jobs[0].target
    try:
        if kind == KAMAILIO:
            with _Lock(KAMAILIO + target):
                return {job: _kamailio(config, job) for job in jobs}
        if kind == PDNS_CONTROL:
            return _pdns_control(config, target, jobs)
        return _pdns_api(config, target, jobs)
    except Exception as exc:     # a bug here must not lose the effects
        from .faults import loggable
        log.error('sending %s to %s failed: %s', kind, target, loggable(exc))
        return {job: (type(exc).__name__, True) for job in jobs}


def _kamailio(config, job):
    where = label(job, config)
    try:
        reply = kamailio_rpc(job.target, job.action,
                             json.loads(job.argument or '[]'))
    except (OSError, ValueError) as exc:
        record(where, job.action, str(exc))
        log.error('Kamailio %s at %s failed: %s', job.action, job.target,
                  exc)
        return str(exc), True
    error = reply.get('error')
    if not error:
        record(where, job.action)
        return None
    text = json.dumps(error)
    record(where, job.action, text)
    code = error.get('code') if isinstance(error, dict) else None
    log.error('Kamailio %s failed: %s', job.action, text)
    return text, code not in _PERMANENT_RPC_ERRORS


def _pdns_control(config, socket_dir, jobs):
    cmd = [config.powerdns_control]
    if socket_dir:
        cmd.append('--socket-dir=%s' % socket_dir)
    where = label(jobs[0], config)
    out = {}
    rediscover = [j for j in jobs if j.action == 'rediscover']
    purges = [j for j in jobs if j.action == 'purge']
    # rediscover first: a purge of a zone PowerDNS does not know yet is
    # useless. Zones in batches, to bound the command line.
    batches = [('rediscover', rediscover, [])] if rediscover else []
    for i in range(0, len(purges), 100):
        chunk = purges[i:i + 100]
        batches.append(('purge', chunk, sorted(j.argument + '$'
                                               for j in chunk)))
    for action, batch, args in batches:
        try:
            run = subprocess.run(cmd + [action] + args, capture_output=True,
                                 text=True, timeout=config.powerdns_timeout)
            error = None if run.returncode == 0 else \
                (run.stderr or run.stdout).strip() or \
                'exit status %d' % run.returncode
        except (OSError, subprocess.SubprocessError) as exc:
            error = str(exc)
        record(where, action, error)
        if error:
            log.error('pdns_control %s failed: %s', ' '.join([action] + args),
                      error)
        for job in batch:
            out[job] = (error, True) if error else None
    return out


def _pdns_api(config, url, jobs):
    base = '%s/api/v1/servers/%s/cache/flush' % (
        url.rstrip('/'), urllib.parse.quote(config.powerdns_server_id))
    out, error = {}, None
    for job in sorted(jobs, key=lambda j: j.argument):
        if error:
            # One unreachable server costs one timeout, not one per name.
            out[job] = (error, True)
            continue
        req = urllib.request.Request(
            base + '?' + urllib.parse.urlencode({'domain': job.argument + '.'}),
            method='PUT', headers={'X-API-Key': config.powerdns_api_key})
        try:
            with urllib.request.urlopen(
                    req, timeout=config.powerdns_timeout) as resp:
                resp.read()
            out[job] = None
        except (OSError, urllib.error.URLError) as exc:
            error = '%s: %s' % (job.argument, exc)
            out[job] = (error, True)
    record('powerdns-api:%s' % url, 'cache/flush', error)
    if error:
        log.error('PowerDNS API cache flush at %s failed: %s', url, error)
    return out


class _Lane:
    """One target's effects: a single sender at a time; what arrives while
    it sends is sent next, once, by the same thread."""

    def __init__(self):
        self.cond = threading.Condition()
        self.queue = {}          # job -> claimed row generation or None
        self.busy = False
        self.asked = self.done = 0
        self.failing = False     # the last attempt failed and may recover

    def run(self, jobs, sender, wait=10.0):
        """Send ``jobs`` ({job: generation}) with the next batch; returns
        once they were sent (by this thread or the busy one), or after
        ``wait`` seconds."""
        with self.cond:
            for job, gen in jobs.items():
                if self.queue.get(job) is None:
                    self.queue[job] = gen
            self.asked += 1
            mine = self.asked
            if self.busy:
                self.cond.wait_for(lambda: self.done >= mine, wait)
                return
            self.busy = True
        try:
            while True:
                with self.cond:
                    batch, self.queue = self.queue, {}
                    upto = self.asked
                if batch:
                    sender(batch)
                with self.cond:
                    self.done = upto
                    self.cond.notify_all()
                    if not self.queue:
                        break
        finally:
            with self.cond:
                self.busy = False
                self.cond.notify_all()


class Effects:
    """Sends after-commit effects, keeps the failed ones (``store``: in its
    database; None: only logged, as for an in-process dispatcher) and, once
    started, sends those of every process on that database again until
    they succeed."""

    def __init__(self, config, store=None):
        self.config = config
        self.store = store
        self.table = store.schema.pending_reloads if store else None
        self.lanes = {}
        self._lock = threading.Lock()
        self.memory = {}        # digest -> [job, next_try, attempts, error]
        self._stopping = threading.Event()
        self._db_down = False
        self.thread = None

    # -- immediate, after a commit ----------------------------------------

    def submit(self, config, jobs):
        for key, group in _by_target(jobs):
            lane = self._lane(key)
            if lane.failing and self.store is not None:
                # Kamailio is away: the call does not wait for it.
                for job in group:
                    self._persist(job, 'queued behind a failed attempt')
                continue
            lane.run(dict.fromkeys(group), self._sender(config, lane))

    def _lane(self, key):
        with self._lock:
            return self.lanes.setdefault(key, _Lane())

    def _sender(self, config, lane):
        def sender(batch):
            outcome = send(config, list(batch))
            failed = False
            for job, result in outcome.items():
                if result is None:
                    self._resolved(job, batch.get(job))
                    continue
                error, retry = result
                if retry:
                    failed = True
                    self._persist(job, error)
                else:
                    self._resolved(job, batch.get(job))
            lane.failing = failed
        return sender

    # -- the pending ones ---------------------------------------------------

    def _persist(self, job, error):
        if self.store is None:
            return
        now = _now()
        digest, t = _digest(job), self.table
        error = (error or '')[:255]
        try:
            for _ in range(3):
                with self.store.engine.begin() as conn:
                    n = conn.execute(update(t).where(t.c.digest == digest)
                                     .values(generation=t.c.generation + 1,
                                             last_error=error)).rowcount
                if n:
                    break
                try:
                    with self.store.engine.begin() as conn:
                        conn.execute(insert(t).values(
                            digest=digest, kind=job.kind, target=job.target,
                            action=job.action, argument=job.argument,
                            created=now, next_try=now + self._backoff(0),
                            attempts=0, generation=1, last_error=error))
                    break
                except IntegrityError:
                    continue     # another process inserted it: update it
            with self._lock:
                self.memory.pop(digest, None)
            if self._db_down:
                self._db_down = False
                log.warning('pending reloads are kept in the database again')
        except SQLAlchemyError as exc:
            with self._lock:
                kept = self.memory.setdefault(
                    digest, [job, now + self._backoff(0), 0, error])
                kept[3] = error
            if not self._db_down:
                self._db_down = True
                log.warning('the database cannot keep pending reloads (%s): '
                            'this process keeps them in memory',
                            str(exc).splitlines()[0])

    def _resolved(self, job, generation):
        """The job went out: its pending row (the generation claimed, not a
        newer failure) is done."""
        digest = _digest(job)
        with self._lock:
            self.memory.pop(digest, None)
        if generation is None or self.store is None:
            return
        t = self.table
        try:
            with self.store.engine.begin() as conn:
                conn.execute(delete(t).where(t.c.digest == digest)
                             .where(t.c.generation == generation))
        except SQLAlchemyError as exc:
            log.warning('could not clear a sent reload: %s',
                        str(exc).splitlines()[0])

    def _backoff(self, attempts):
        """Milliseconds before the next try: 1 s, 2 s, 4 s ... up to
        the configured maximum."""
        return int(1000 * min(self.config.reload_max_backoff,
                              2 ** min(attempts, 30)))

    def _serves(self, job):
        cfg = self.config
        if job.kind == KAMAILIO:
            return job.target == cfg.kamailio_rpc_socket
        if job.kind == PDNS_CONTROL:
            return bool(cfg.powerdns_control) and \
                job.target in (cfg.powerdns_socket_dirs or [''])
        return job.target in cfg.powerdns_api_urls

    def retry_due(self, now=None):
        """Send the pending effects whose time has come (one pass)."""
        now = now or _now()
        jobs = {}       # job -> claimed generation (None: kept in memory)
        with self._lock:
            for digest, kept in list(self.memory.items()):
                job, next_try, attempts, _ = kept
                if next_try <= now and self._serves(job):
                    kept[1] = now + self._backoff(attempts + 1)
                    kept[2] = attempts + 1
                    jobs[job] = None
        if self.store is not None:
            try:
                jobs.update(self._claim(now))
            except SQLAlchemyError as exc:
                log.warning('pending reloads: database unavailable (%s)',
                            str(exc).splitlines()[0])
        for key, group in _by_target(list(jobs)):
            lane = self._lane(key)
            lane.run({job: jobs[job] for job in group},
                     self._sender(self.config, lane))

    def _claim(self, now):
        t, cfg = self.table, self.config
        with self.store.engine.begin() as conn:
            rows = conn.execute(select(t).where(t.c.next_try <= now)
                                .order_by(t.c.id).limit(500)).mappings()
            rows = [dict(r) for r in rows]
        out = {}
        for r in rows:
            job = Job(r['kind'], r['target'], r['action'], r['argument'])
            if not self._serves(job):
                if r['created'] < now - 1000 * cfg.reload_give_up:
                    log.error('dropping a reload no server sent for %d s: '
                              '%s %s %s (%s)', cfg.reload_give_up,
                              label(job, cfg), job.action, job.argument,
                              r['last_error'])
                    with self.store.engine.begin() as conn:
                        conn.execute(delete(t).where(t.c.id == r['id']))
                continue
            # Claimed by the conditional update: of several processes
            # polling the same rows, one sends them.
            with self.store.engine.begin() as conn:
                won = conn.execute(
                    update(t).where(t.c.id == r['id'])
                    .where(t.c.next_try == r['next_try'])
                    .values(attempts=r['attempts'] + 1,
                            next_try=now + self._backoff(r['attempts'] + 1))
                ).rowcount
            if won:
                out[job] = r['generation']
        return out

    # -- the background thread -----------------------------------------------

    def start(self, poll=None):
        self.poll = poll or self.config.reload_poll_interval
        self.thread = threading.Thread(target=self._loop, daemon=True,
                                       name='ngnpro-reloads')
        self.thread.start()
        return self

    def _loop(self):
        from .faults import loggable
        while not self._stopping.is_set():
            try:
                self.retry_due()
            except Exception as exc:
                log.error('pending reloads: %s', loggable(exc))
            self._stopping.wait(self.poll)

    def stop(self):
        self._stopping.set()
        if self.thread is not None:
            self.thread.join(10)
        with self._lock:
            if self.memory:
                log.error('%d pending reloads kept in memory are lost (the '
                          'database could not take them)', len(self.memory))


def _now():
    return int(time.time() * 1000)


def _by_target(jobs):
    """[(kind, target), [jobs]] in the order the targets first appear."""
    out = {}
    for job in jobs:
        out.setdefault((job.kind, job.target), []).append(job)
    return list(out.items())


# The engine of a running server (install); without one, effects are sent
# once and a failure is only logged and recorded.
_engine = None
_transient = Effects(None)


def install(config, store):
    """Start sending the pending effects of ``store``'s database; calls'
    failed effects are kept there from now on."""
    global _engine
    _engine = Effects(config, store).start()
    return _engine


def uninstall():
    global _engine
    engine, _engine = _engine, None
    if engine is not None:
        engine.stop()


def pending(conn, schema, config, limit=100):
    """The effects still to be sent (every process's), oldest first."""
    t = schema.pending_reloads
    out = []
    for r in conn.execute(select(t).order_by(t.c.created, t.c.id)
                          .limit(limit)).mappings():
        job = Job(r['kind'], r['target'], r['action'], r['argument'])
        out.append(_pending_entry(job, config, r['created'], r['attempts'],
                                  r['next_try'], r['last_error']))
    engine = _engine
    if engine is not None:
        with engine._lock:
            kept = list(engine.memory.values())
        for job, next_try, attempts, error in kept:
            out.append(_pending_entry(job, config, None, attempts, next_try,
                                      error, memory=True))
    return out


def _pending_entry(job, config, created, attempts, next_try, error,
                   memory=False):
    def when(ms):
        return time.strftime('%Y-%m-%d %H:%M:%S',
                             time.localtime(ms / 1000)) if ms else ''
    entry = {'target': label(job, config), 'method': job.action,
             'argument': job.argument, 'attempts': attempts,
             'since': when(created), 'next_try': when(next_try),
             'error': error}
    if memory:
        entry['kept'] = 'memory'
    return entry
