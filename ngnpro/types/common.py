"""Types shared by every port (spec §3.1).

All complex types live in the ``urn:AGProjects:NGNPro`` namespace. The models
drive three things: request decoding (spyne), response encoding and the WSDL
(both ngnpro.soap), so a member added here shows up everywhere at once.
"""
from spyne.model.complex import Array, ComplexModel
from spyne.model.primitive import (Boolean, Double, Integer, Integer32,
                                   Unicode, UnsignedInteger)

TNS = 'urn:AGProjects:NGNPro'

# Names of the xsd types as they appear on the wire; kept here so that the
# codec never guesses from spyne's internal class names.
String = Unicode
Int = Integer32          # xsd:int
BigInt = Integer         # xsd:integer (ownership ids in the guide's XSD)
NonNegInt = UnsignedInteger
Bool = Boolean
Float = Double


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
SipId = struct('SipId', [('username', String), ('domain', String)])
Range = struct('Range', [('start', Int), ('count', Int)])
OrderBy = struct('OrderBy', [('attribute', String), ('direction', String)])
Property = struct('Property', [('name', String), ('value', String)])
PropertyArray = array(Property, 'PropertyArray')
CustomerProperty = struct('CustomerProperty', [
    ('name', String), ('value', String), ('category', String),
    ('permission', String)])
CustomerPropertyArray = array(CustomerProperty, 'CustomerPropertyArray')


def query(name, filter_type):
    """Every query is {filter, orderBy, range} (spec §3.2)."""
    return struct(name, [('filter', filter_type), ('orderBy', OrderBy),
                         ('range', Range)])


def query_result(name, member, item_array):
    return struct(name, [('total', Int), (member, item_array)])
