"""Operation arguments from plain Python values (dicts for structs, lists
for arrays, text or numbers for the rest), for calls made in-process
(ngnpro.dispatch.Dispatcher.invoke: `ngnpro import`).

They become the same models a request's XML decodes to, by the same text
rules (ngnpro.soap.protocol: empty means unset, strict booleans and
integers), and pass the same limits (ngnpro.soap.validate) before any port
code runs; what a request would get as fault 103, they get too.
"""
from spyne.model.complex import Array, ComplexModelBase

from ..faults import invalid
from . import validate
from .protocol import LegacySoap

_codec = LegacySoap()


def arguments(in_message, values):
    """{argument name: plain value} -> the argument list of an operation,
    in declaration order, checked."""
    declared = in_message._type_info
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise invalid('Unknown argument %s' % ', '.join(unknown))
    args = [model(cls, values.get(name), name)
            for name, cls in declared.items()]
    validate.arguments(in_message, args)
    return args


def model(cls, value, path):
    if value is None:
        return None
    if issubclass(cls, Array):
        (item,) = cls._type_info.values()
        if not isinstance(value, (list, tuple)):
            raise invalid('%s must be a list' % path)
        return [model(item, v, '%s[%d]' % (path, i))
                for i, v in enumerate(value)]
    if issubclass(cls, ComplexModelBase):
        if not isinstance(value, dict):
            raise invalid('%s must be a structure of %s' % (
                path, ', '.join(cls._type_info)))
        unknown = sorted(set(value) - set(cls._type_info))
        if unknown:
            raise invalid('%s has no member %s' % (path, ', '.join(unknown)))
        obj = cls()
        for name, member in cls._type_info.items():
            setattr(obj, name, model(member, value.get(name),
                                     '%s.%s' % (path, name)))
        return obj
    if isinstance(value, bool):
        text = 'true' if value else 'false'
    elif isinstance(value, (str, int, float)):
        text = str(value)
    else:
        raise invalid('%s: %r is not a value' % (path, value))
    return _codec.text_value(cls, text, path)
