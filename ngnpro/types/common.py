"""Types shared by every port (spec §3.1).

All complex types live in the ``urn:AGProjects:NGNPro`` namespace. The models
drive three things: request decoding (spyne), response encoding and the WSDL
(both ngnpro.soap), so a member added here shows up everywhere at once.
"""
from spyne.model.complex import Array, ComplexModel
from spyne.model.primitive import (Boolean, Double, Integer, Integer32,
                                   Unicode, UnsignedInteger)

TNS = 'urn:AGProjects:NGNPro'

# The xsd types of the wire, with the limits the codec enforces on every
# decoded value (ngnpro.soap.validate): a string longer than its column, a
# number the database cannot hold or a negative id is refused with fault 103
# naming the member, before any port code runs. Integers are 32-bit signed
# unless narrowed (the database columns are INT). The WSDL shows the xsd
# type names only.
String = Unicode(max_len=255)          # default for free text and filters
Name = Unicode(max_len=64)             # keys and short names (64-char columns)
Text = Unicode(max_len=65535)          # PEM blobs, addresses, TXT data
Int = Integer32                        # xsd:int
BigInt = Integer(ge=0)                 # xsd:integer: ids in the guide's XSD
NonNegInt = UnsignedInteger(ge=0)      # xsd:nonNegativeInteger
Bool = Boolean
Float = Double                         # finite only


def limited(base, **limits):
    """A wire type with narrower limits (ge, le, max_len)."""
    return base(**limits)


def xsd_name(cls):
    """The xsd type name of a possibly constrained primitive (spyne's
    customisations are anonymous subclasses of the named type)."""
    while getattr(cls, '__orig__', None) is not None:
        cls = cls.__orig__
    return cls.get_type_name()


class Model(ComplexModel):
    """Base of every NGNPro struct: one namespace, no declared order checks."""
    __namespace__ = TNS


def struct(name, members, base=Model):
    """Declare a struct from an ordered list of (member, type)."""
    return type(name, (base,), {'_type_info': members,
                                '__type_name__': name})


def array(item_type, name):
    """A SOAP-encoded array whose items are named ``item`` (spec §1.4)."""
    cls = Array(item_type, member_name='item')
    cls = cls.customize(type_name=name)
    cls.__namespace__ = TNS
    return cls


StringArray = array(Unicode, 'StringArray')
SipId = struct('SipId', [('username', Name), ('domain', Name)])
SipIdArray = array(SipId, 'SipIdArray')
Range = struct('Range', [('start', limited(Int, ge=0)),
                          ('count', limited(Int, ge=0))])
OrderBy = struct('OrderBy', [('attribute', String), ('direction', String)])
Property = struct('Property', [('name', Name), ('value', Text)])
PropertyArray = array(Property, 'PropertyArray')
CustomerProperty = struct('CustomerProperty', [
    ('name', Name), ('value', Text), ('category', Name),
    ('permission', limited(String, max_len=32))])
CustomerPropertyArray = array(CustomerProperty, 'CustomerPropertyArray')


def query(name, filter_type):
    """Every query is {filter, orderBy, range} (spec §3.2)."""
    return struct(name, [('filter', filter_type), ('orderBy', OrderBy),
                         ('range', Range)])


def query_result(name, member, item_array):
    return struct(name, [('total', Int), (member, item_array)])
