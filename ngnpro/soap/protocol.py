"""spyne's Soap11 made lenient enough for what NGNPro clients send.

The request tree has already been normalised (ngnpro.soap.envelope); what is
left for spyne is to map elements onto the port's models by local name.
``parse_xsi_type`` is off because legacy clients type arguments with names
spyne does not know (``SOAP-ENC:Array``, ``xsd:int`` on a boolean, ...).
"""
import re

import spyne.const
from lxml import etree
from spyne.error import Fault, ValidationError
from spyne.model.primitive import Boolean, Integer
from spyne.protocol.soap import Soap11

from ..faults import NGNProError, INVALID_ARGUMENT
from . import validate

# spyne forces a full gc.collect() from MethodContext.close at most once per
# MIN_GC_INTERVAL; we never close contexts, but keep it off for good measure.
spyne.const.MIN_GC_INTERVAL = float('inf')

_BOOLEANS = {'true': True, '1': True, 'false': False, '0': False}
_INTEGER = re.compile(r'^[+-]?[0-9]{1,20}$')


class LegacySoap(Soap11):
    def __init__(self, app=None):
        super().__init__(app=app, validator=None, parse_xsi_type=False,
                         cleanup_namespaces=False)

    def base_from_element(self, ctx, cls, element):
        return self.text_value(cls, element.text,
                               etree.QName(element).localname)

    def text_value(self, cls, text, name):
        """The value of model ``cls`` that ``text`` stands for (``name``
        labels errors); also for values that come without XML
        (ngnpro.soap.plain)."""
        # Numbers echoed back empty (<quota xsi:type="xsd:string"/>) mean
        # "unset" (spec §1.4 rule 5), not a validation error.
        if text is None or not text.strip():
            return None
        text = text.strip()
        if issubclass(cls, Boolean):
            # spyne reads anything but true/1 as false: 'maybe' must not
            # silently switch a flag off.
            value = _BOOLEANS.get(text.lower())
            if value is None:
                raise NGNProError(INVALID_ARGUMENT, '%s: %r is not a boolean '
                                  '(true, false, 1 or 0)' % (name, text))
            return value
        if issubclass(cls, Integer):
            # Our own parse: spyne refuses valid negative 32-bit values (it
            # counts the sign as a digit). Bounds: ngnpro.soap.validate.
            if not _INTEGER.match(text):
                raise NGNProError(INVALID_ARGUMENT, '%s: %r is not an integer'
                                  % (name, text[:40]))
            return int(text)
        try:
            return self.from_unicode(cls, text)
        except (ValidationError, ValueError, TypeError) as exc:
            raise NGNProError(INVALID_ARGUMENT, '%s: %s' % (
                name, getattr(exc, 'faultstring', exc)))

    def decode_arguments(self, ctx, descriptor, element):
        """The operation element -> the list of argument values, in
        declaration order, whatever order or qualification they came in."""
        try:
            values = self.from_element(ctx, descriptor.in_message, element)
        except (ValidationError, Fault, ValueError, TypeError) as exc:
            raise NGNProError(INVALID_ARGUMENT, 'Invalid argument value: %s'
                              % getattr(exc, 'faultstring', exc))
        values = list(values)
        validate.arguments(descriptor.in_message, values)
        return values
