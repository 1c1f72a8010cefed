"""Failed-login throttling: slow down, then refuse, password guessing.

Counted per (username, address), per address and per username. A throttled
key is refused at once, before any password is checked, so that guessing
costs the server nothing and the attacker learns nothing; the wait grows
with every failure (1 s, 2 s, 4 s ... up to a minute) and turns into a lock
of ``lock_seconds`` after ``lock_after`` failures. A correct password resets
its (username, address) count and is never slowed.

A username attacked from many addresses is refused only to addresses that
have not logged in as it recently, so that its legitimate users elsewhere
keep working. State is per process (memory only, bounded); with N workers an
attacker gets N times the budget, still orders of magnitude below the
hundreds of guesses per second an unthrottled server allows.
"""
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

log = logging.getLogger('ngnpro')

MAX_KEYS = 100000          # bounded memory under a spray of usernames
MAX_WAIT = 60.0
KNOWN_FOR = 86400.0       # a successful address stays trusted this long


@dataclass
class Policy:
    enabled: bool = True
    slow_after: int = 3        # failures of one username from one address
    lock_after: int = 10
    lock_seconds: int = 900
    address_slow_after: int = 20   # failures from one address, any username
    address_lock_after: int = 100
    user_slow_after: int = 50      # failures for one username, any address
    window: int = 900              # failures older than this are forgotten


class _Count:
    __slots__ = ('failures', 'last', 'until', 'logged')

    def __init__(self):
        self.failures, self.last, self.until, self.logged = 0, 0.0, 0.0, 0.0


class Throttle:
    def __init__(self, policy=None, clock=time.monotonic):
        self.policy = policy or Policy()
        self.clock = clock
        self._keys = OrderedDict()
        self._known = OrderedDict()   # (user, address) -> last success
        self._lock = threading.Lock()

    def _get(self, key, now, create=False):
        c = self._keys.get(key)
        if c is not None and now - c.last > self.policy.window and \
                now >= c.until:
            del self._keys[key]
            c = None
        if c is None and create:
            c = self._keys[key] = _Count()
            while len(self._keys) > MAX_KEYS:
                self._keys.popitem(last=False)
        if c is not None:
            self._keys.move_to_end(key)
        return c

    def refused(self, username, address):
        """Seconds this login attempt must still wait, 0 when it may try."""
        if not self.policy.enabled:
            return 0
        now = self.clock()
        with self._lock:
            wait = 0.0
            for key in (('pair', username, address), ('addr', address)):
                c = self._get(key, now)
                if c is not None and c.until > now:
                    wait = max(wait, c.until - now)
                    self._log_refusal(c, key, now)
            c = self._get(('user', username), now)
            known = self._known.get((username, address))
            if c is not None and c.until > now and \
                    (known is None or now - known > KNOWN_FOR):
                wait = max(wait, c.until - now)
                self._log_refusal(c, ('user', username), now)
            return wait

    def _log_refusal(self, c, key, now):
        if now - c.logged >= 60:       # once a minute per key, not per guess
            c.logged = now
            log.warning('login throttled: %s (%d failures, %.0f s left)',
                        _describe(key), c.failures, c.until - now)

    def failed(self, username, address):
        if not self.policy.enabled:
            return
        p = self.policy
        now = self.clock()
        with self._lock:
            counts = []
            for key, slow, lock in (
                    (('pair', username, address), p.slow_after, p.lock_after),
                    (('addr', address), p.address_slow_after,
                     p.address_lock_after),
                    (('user', username), p.user_slow_after, None)):
                c = self._get(key, now, create=True)
                c.failures += 1
                c.last = now
                if lock is not None and c.failures >= lock:
                    c.until = now + p.lock_seconds
                elif c.failures >= slow:
                    c.until = now + min(2.0 ** (c.failures - slow), MAX_WAIT)
                counts.append(c.failures)
        log.warning('login failed: user %r from %s (%d recent failures of '
                    'this user from this address)', username, address,
                    counts[0])

    def succeeded(self, username, address):
        if not self.policy.enabled:
            return
        now = self.clock()
        with self._lock:
            self._keys.pop(('pair', username, address), None)
            self._known[(username, address)] = now
            self._known.move_to_end((username, address))
            while len(self._known) > MAX_KEYS:
                self._known.popitem(last=False)


def _describe(key):
    if key[0] == 'pair':
        return 'user %r from %s' % (key[1], key[2])
    if key[0] == 'addr':
        return 'address %s' % key[1]
    return 'user %r from new addresses' % key[1]
