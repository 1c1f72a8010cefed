"""One endpoint for every port: the namespace of the Body's first element
picks the port (SOAPAction is always empty and every port shares one URL,
spec §1.3), then the operation runs in one unit of work.
"""
import contextlib
import logging
import random
import time
from dataclasses import dataclass, field

from spyne import Application
from spyne.server import ServerBase
from spyne.context import MethodContext
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from .auth import authenticate
from .faults import (DATABASE_UNAVAILABLE, INTERNAL_ERROR, INVALID_ARGUMENT,
                     NOT_IMPLEMENTED, SERVICE_BUSY, NGNProError, loggable)
from .soap import encode, envelope, plain
from .soap.protocol import LegacySoap
from .store import journal
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
    actor: str = None            # who, for the journal, when no principal


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
            request = envelope.parse(data, self.config.max_elements,
                                     self.config.max_array_length)
            typed = request.encoded
            outcome.operation = request.operation
            port, op = self.resolve(request, namespaces)
            outcome.port = port.name
            outcome.body = self._run(port, op, request, outcome, client)
            outcome.status = 200
        except NGNProError as exc:
            outcome.errorcode = exc.errorcode
            outcome.body = encode.fault(exc, typed)
        except Exception as exc:
            log.error('internal error in %s.%s: %s', outcome.port,
                      outcome.operation, loggable(exc))
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
        retries = self.config.database_retries
        for attempt in range(retries + 1):
            try:
                call, result = self._unit(port, descriptor, ctx, args,
                                          request, outcome, client)
                break
            except DBAPIError as exc:
                kind = self.store.failure(exc)
                if kind == 'unknown':
                    raise NGNProError(DATABASE_UNAVAILABLE, 'The database '
                                      'connection broke while committing: '
                                      'the change may or may not have been '
                                      'made; check before trying again')
                if kind is None:
                    raise
                if attempt == retries:
                    raise (NGNProError(SERVICE_BUSY, 'The request conflicted '
                                       'with concurrent changes %d times; '
                                       'try again' % (retries + 1))
                           if kind == 'conflict' else
                           NGNProError(DATABASE_UNAVAILABLE, 'No database '
                                       'node could complete the request'))
                # Competing writers replay at different moments.
                time.sleep(random.uniform(0, 0.02 * 2 ** attempt))
        # Effects on other servers: once, after the commit that counted.
        for hook in call.after_commit:
            try:
                hook()
            except Exception as exc:
                log.error('after-commit effect failed: %s', loggable(exc))
        return encode.response(port.namespace, request.operation,
                               return_type, result, request.encoded)

    def _unit(self, port, descriptor, ctx, args, request, outcome, client):
        """One attempt at the call's unit of work: (call, result)."""
        with _database_faults():
            with self.store.unit_of_work(
                    write=writes(request.operation)) as conn:
                principal = None
                if port.needs_auth:
                    principal = authenticate(conn, self.store.schema,
                                             self.config, request.auth,
                                             client, self.throttle)
                    outcome.principal = principal.name
                call = Call(conn, self.store.schema, self.config, principal,
                            port.name, request.operation, client=client,
                            throttle=self.throttle)
                return call, self._execute(descriptor, ctx, args, call)

    def _execute(self, descriptor, ctx, args, call):
        """The operation on the call's connection, and its journal entry
        in the same transaction (no change without its entry)."""
        conn, principal = call.conn, call.principal
        changes = journal.Changes() if writes(call.operation) and \
            self.config.journal else None
        conn.info['ngnpro_changes'] = changes
        ctx.udc = call
        try:
            result = descriptor.function(ctx, *args)
            if changes is not None:
                journal.write(
                    conn, self.store.schema, changes,
                    call.actor or (principal.name if principal else '-'),
                    principal, call.client,
                    '%s.%s' % (call.port, call.operation),
                    journal.record_key(descriptor.in_message, args, result,
                                       changes))
        finally:
            # A connection lost mid-call (a Galera node killed) refuses
            # even .info; the DBAPI error under way is the one to classify.
            if not conn.invalidated:
                conn.info['ngnpro_changes'] = None
        return result

    def invoke(self, conn, principal, port, operation, values, client='-',
               after_commit=None):
        """Run one operation in-process, without XML, inside the caller's
        transaction on ``conn`` (`ngnpro import`: one outer transaction,
        a savepoint per record): ``values`` are its arguments as plain
        Python ({argument: value}, ngnpro.soap.plain), checked by the
        codec as a request's are; ``principal`` acts as an authenticated
        caller would. Rights, credits, usage counters and the journal are
        those of a SOAP call. ``after_commit`` collects (and coalesces)
        the effects to run once the caller has committed. Returns the
        operation's result; faults raise NGNProError."""
        port = self.port_named(port)
        op = port.operations.get(operation)
        if op is None:
            raise NGNProError(NOT_IMPLEMENTED, '%s has no operation %s'
                              % (port.name, operation))
        descriptor = op[0]
        args = plain.arguments(descriptor.in_message, values)
        # What an earlier call on this connection left (a savepoint rolled
        # back undoes the credit a reservation counted).
        for key in ('ngnpro_reserved', 'ngnpro_before',
                    'ngnpro_usage_before'):
            conn.info.pop(key, None)
        call = Call(conn, self.store.schema, self.config, principal,
                    port.name, operation, client=client,
                    throttle=self.throttle)
        if after_commit is not None:
            call.after_commit = after_commit
        with _database_faults():
            return self._execute(descriptor, MethodContext(
                port.server, MethodContext.SERVER), args, call)

    def port_named(self, name):
        for port in self.ports.values():
            if port.name == name:
                if port.service is None:
                    break
                return port
        raise NGNProError(NOT_IMPLEMENTED, '%s is not implemented by this '
                          'server' % name)


def writes(operation):
    return not operation.startswith('get')


@contextlib.contextmanager
def _database_faults():
    try:
        yield
    except IntegrityError:
        # A concurrent request won the race for a unique key the port
        # did not guard itself. The database's text names tables and
        # indexes: not for the client.
        raise NGNProError(INVALID_ARGUMENT, 'The request conflicts with '
                          'an existing record')
    except DataError:
        # A value the models let through but the column does not hold.
        raise NGNProError(INVALID_ARGUMENT, 'A value of the request is '
                          'out of range for what it is stored in')
