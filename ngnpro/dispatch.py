"""One endpoint for every port: the namespace of the Body's first element
picks the port (SOAPAction is always empty and every port shares one URL,
spec §1.3), then the operation runs in one unit of work.
"""
import logging
import traceback
from dataclasses import dataclass, field

from spyne import Application
from spyne.server import ServerBase
from spyne.context import MethodContext
from sqlalchemy.exc import DataError, IntegrityError

from .auth import authenticate
from .faults import (INTERNAL_ERROR, INVALID_ARGUMENT, NOT_IMPLEMENTED,
                     NGNProError)
from .soap import encode, envelope
from .soap.protocol import LegacySoap
from .throttle import Throttle

log = logging.getLogger('ngnpro')


@dataclass
class Port:
    name: str                 # CustomerPort, SipPort, ...
    namespace: str
    service: type = None      # spyne ServiceBase; None = not built yet
    needs_auth: bool = True
    # Filled in by Dispatcher: operation name -> (descriptor, return type)
    operations: dict = field(default_factory=dict)
    app: object = None
    server: object = None


@dataclass
class Call:
    """What a port method gets as ``ctx.udc``."""
    conn: object
    schema: object
    config: object
    principal: object
    port: str
    operation: str
    after_commit: list = field(default_factory=list)
    client: str = '-'            # address of the HTTP client
    throttle: object = None      # the login throttle (ngnpro.throttle)


@dataclass
class Outcome:
    status: int
    body: bytes
    port: str = '-'
    operation: str = '-'
    principal: str = '-'
    errorcode: int = 0


class Dispatcher:
    def __init__(self, config, store, ports):
        self.config = config
        self.store = store
        self.protocol = LegacySoap()
        self.throttle = Throttle(config.login_policy)
        self.ports = {}
        for port in ports:
            if port.service is not None:
                self._bind(port)
            self.ports[port.namespace] = port

    def _bind(self, port):
        port.app = Application([port.service], tns=port.namespace,
                               name=port.name, in_protocol=LegacySoap(),
                               out_protocol=LegacySoap())
        port.server = ServerBase(port.app)
        for key, descriptors in port.app.interface.service_method_map.items():
            d = descriptors[0]
            out = list(d.out_message._type_info.values())
            port.operations[d.name] = (d, out[0] if out else None)

    def handle(self, data, client='-', namespaces=None):
        """Request body bytes (from address ``client``) -> Outcome; never
        raises. ``namespaces``: the only ports served at this address (None:
        all)."""
        outcome = Outcome(500, b'')
        typed = True
        try:
            request = envelope.parse(data, self.config.max_elements)
            typed = request.encoded
            outcome.operation = request.operation
            port, op = self.resolve(request, namespaces)
            outcome.port = port.name
            outcome.body = self._run(port, op, request, outcome, client)
            outcome.status = 200
        except NGNProError as exc:
            outcome.errorcode = exc.errorcode
            outcome.body = encode.fault(exc, typed)
        except Exception:
            log.error('internal error in %s.%s\n%s', outcome.port,
                      outcome.operation, traceback.format_exc())
            exc = NGNProError(INTERNAL_ERROR, 'Internal server error')
            outcome.errorcode = exc.errorcode
            outcome.body = encode.fault(exc, typed)
        return outcome

    def resolve(self, request, namespaces=None):
        """-> (Port, (descriptor, return type)), or a not-implemented fault."""
        port = self.ports.get(request.namespace)
        if port is not None and namespaces is not None and \
                port.namespace not in namespaces:
            raise NGNProError(NOT_IMPLEMENTED, '%s is not served at this '
                              'address' % port.name)
        if port is None:
            raise NGNProError(NOT_IMPLEMENTED, 'Unknown method %s in '
                              'namespace %r' % (request.operation,
                                                request.namespace))
        if port.service is None:
            raise NGNProError(NOT_IMPLEMENTED, '%s is not implemented by '
                              'this server' % port.name)
        op = port.operations.get(request.operation)
        if op is None:
            raise NGNProError(NOT_IMPLEMENTED, '%s has no operation %s'
                              % (port.name, request.operation))
        return port, op

    def decode(self, port, op, request):
        """The operation's arguments as decoded model values, in order."""
        ctx = MethodContext(port.server, MethodContext.SERVER)
        return ctx, self.protocol.decode_arguments(ctx, op[0], request.body)

    def _run(self, port, op, request, outcome, client):
        descriptor, return_type = op
        ctx, args = self.decode(port, op, request)
        write = not request.operation.startswith('get')
        call = None
        try:
            with self.store.unit_of_work(write=write) as conn:
                principal = None
                if port.needs_auth:
                    principal = authenticate(conn, self.store.schema,
                                             self.config, request.auth,
                                             client, self.throttle)
                    outcome.principal = principal.name
                call = Call(conn, self.store.schema, self.config, principal,
                            port.name, request.operation, client=client,
                            throttle=self.throttle)
                ctx.udc = call
                result = descriptor.function(ctx, *args)
        except IntegrityError as exc:
            # A concurrent request won the race for a unique key.
            raise NGNProError(INVALID_ARGUMENT, 'Conflicts with an existing '
                              'record: %s' % exc.orig.args[-1])
        except DataError as exc:
            # MariaDB in strict mode refuses values longer than the column.
            raise NGNProError(INVALID_ARGUMENT, 'Value not accepted by the '
                              'database: %s' % exc.orig.args[-1])
        for hook in call.after_commit:
            try:
                hook()
            except Exception:
                log.error('after-commit hook failed\n%s',
                          traceback.format_exc())
        return encode.response(port.namespace, request.operation,
                               return_type, result, request.encoded)
