"""Limits of every decoded value, from the models (ngnpro.types).

Runs once per request, right after decoding and before any port code: a
string longer than its model allows, an integer outside its bounds (32-bit
signed unless the model narrows it) or a number that is not finite is
refused with fault 103 naming the member, so that nothing of it reaches the
database (which would truncate it, overflow, or store ``inf``).
"""
import math
from functools import lru_cache

from spyne.model.complex import Array, ComplexModelBase
from spyne.model.primitive import Double, Float, Integer, Unicode

from ..faults import invalid

INT_MIN, INT_MAX = -2 ** 31, 2 ** 31 - 1
STRUCT, LIST, TEXT, NUMBER, REAL, OTHER = range(6)


def _bound(value, default, pick):
    if value is None or (isinstance(value, float) and math.isinf(value)):
        return default
    return pick(value, default)


@lru_cache(maxsize=None)
def _plan(cls):
    if issubclass(cls, Array):
        (item,) = cls._type_info.values()
        return LIST, item
    if issubclass(cls, ComplexModelBase):
        return STRUCT, tuple(cls._type_info.items())
    a = cls.Attributes
    if issubclass(cls, Unicode):
        limit = a.max_len
        return TEXT, None if math.isinf(limit) else int(limit)
    if issubclass(cls, Integer):
        return NUMBER, (_bound(getattr(a, 'ge', None), INT_MIN, max),
                        _bound(getattr(a, 'le', None), INT_MAX, min))
    if issubclass(cls, (Double, Float)):
        return REAL, None
    return OTHER, None


def check(cls, value, path):
    """Raise fault 103 for the first value of ``value`` (an instance of
    model ``cls``) outside its limits; ``path`` names it (``account.id``)."""
    if value is None:
        return
    kind, extra = _plan(cls)
    if kind == STRUCT:
        for name, member in extra:
            check(member, getattr(value, name, None), '%s.%s' % (path, name))
    elif kind == LIST:
        for i, item in enumerate(value):
            check(extra, item, '%s[%d]' % (path, i))
    elif kind == TEXT:
        if extra is not None and len(value) > extra:
            raise invalid('%s is longer than %d characters' % (path, extra))
    elif kind == NUMBER:
        low, high = extra
        if value < low:
            raise invalid('%s must be at least %d' % (path, low))
        if value > high:
            raise invalid('%s must be at most %d' % (path, high))
    elif kind == REAL:
        if not math.isfinite(value):
            raise invalid('%s must be a finite number' % path)


def arguments(in_message, values):
    """Every argument of one operation, by its wire name."""
    for (name, cls), value in zip(in_message._type_info.items(), values):
        check(cls, value, name)
