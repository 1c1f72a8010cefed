"""Every field of every argument of every built operation, read from the
port models, with a hypothesis strategy for values that field must refuse:
wrong types, numbers outside its bounds, strings past its length, numbers
that are not finite, booleans that are not booleans, arrays declared longer
than the limit. A port that lands later is covered without a line here."""
from dataclasses import dataclass

from hypothesis import strategies as st
from spyne.model.primitive import Boolean

from ngnpro.soap.validate import LIST, NUMBER, REAL, STRUCT, TEXT, _plan
from ports import all_ports

# Text that is not a number in any spelling spyne or Python accepts.
NOT_A_NUMBER = st.sampled_from(['abc', '1.5', '1e3', 'true', '0x10', '--1',
                                '12abc'])


@dataclass(frozen=True)
class Field:
    port: str            # the port's short name: Sip, Customer, ...
    operation: str
    path: tuple          # argument name, then member names / 0 for items
    model: type          # the leaf's model class
    kind: str            # 'text', 'number', 'real', 'bool', 'array'

    @property
    def id(self):
        return '%s.%s:%s' % (self.port, self.operation,
                             '.'.join(str(p) for p in self.path))


def _leaves(cls, path, depth=0):
    kind, extra = _plan(cls)
    if depth > 6:
        return
    if kind == STRUCT:
        for name, member in extra:
            yield from _leaves(member, path + (name,), depth + 1)
    elif kind == LIST:
        yield path, cls, 'array'
        yield from _leaves(extra, path + (0,), depth + 1)
    elif kind == TEXT and extra is not None:
        yield path, cls, 'text'
    elif kind == NUMBER:
        yield path, cls, 'number'
    elif kind == REAL:
        yield path, cls, 'real'
    elif issubclass(cls, Boolean):
        yield path, cls, 'bool'


def fields():
    out = []
    for port in all_ports():
        if port.service is None:
            continue
        short = port.namespace.rsplit(':', 1)[-1]
        for method in port.service.public_methods.values():
            for arg, cls in method.in_message._type_info.items():
                for path, model, kind in _leaves(cls, (arg,)):
                    out.append(Field(short, method.name, path, model, kind))
    return out


def bad_values(field, max_array_length):
    """A strategy of (value, declared array size or None) to put at the
    field's path; every value must be refused with fault 103."""
    kind, extra = _plan(field.model)
    if field.kind == 'text':
        # A random motif repeated past the limit (hypothesis draws at most
        # a few KB of text itself).
        too_long = st.builds(
            lambda motif, over: (motif * (extra // len(motif) + 2))[
                :extra + 1 + over],
            st.text(alphabet='aZ09-_.@', min_size=1, max_size=8),
            st.integers(min_value=0, max_value=40))
        return st.tuples(too_long, st.none())
    if field.kind == 'number':
        low, high = extra
        return st.tuples(st.one_of(st.integers(max_value=low - 1),
                                   st.integers(min_value=high + 1),
                                   NOT_A_NUMBER), st.none())
    if field.kind == 'real':
        return st.tuples(st.sampled_from(
            ['NaN', 'nan', 'INF', '-Infinity', '1e400', '-1e999', 'abc',
             '1,5']), st.none())
    if field.kind == 'bool':
        return st.tuples(st.sampled_from(['maybe', '2', 'yes', 'TRUE!', '-1',
                                          'on']), st.none())
    # An array declaring more items than the limit (a few sent).
    return st.tuples(st.just(None), st.integers(
        min_value=max_array_length + 1, max_value=10 ** 9))

