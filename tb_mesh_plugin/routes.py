"""What every route of the plugin shares: query parameters, JSON error responses and timing.

A handler raises `BadRequest` (or TensorBoard's `errors.NotFoundError` / `errors.InvalidArgumentError`)
for a request it cannot serve; `route` answers it with that status and `{"error": message}` as JSON,
and times every response in a `Server-Timing` header.
"""

import re
import time

from tensorboard import errors
from tensorboard.backend import http_util
from werkzeug import wrappers

# Query parameters are plain ASCII decimal integers: no sign but a leading minus, no "_", no other digits.
_DECIMAL = re.compile(r"-?[0-9]+")


class BadRequest(Exception):
    """A client error (or a step that cannot be served), answered with `code` and a JSON message.

    `reason`, when given, is a stable machine-readable word the viewer can act on.
    """

    def __init__(self, code, message, reason=None):
        super().__init__(message)
        self.code = code
        self.reason = reason


def json_response(request, body, code=200):
    return http_util.Respond(request, body, "application/json", code=code)


def route(handler):
    """Wraps a handler `(request)` or method `(self, request)` into a WSGI app whose client errors become
    JSON 4xx responses, timed in a `Server-Timing` header."""

    @wrappers.Request.application
    def serve(*arguments):
        *owner, request = arguments
        start = time.perf_counter()
        try:
            response = handler(*owner, request)
        except BadRequest as e:
            body = {"error": str(e)} if e.reason is None else {"error": str(e), "reason": e.reason}
            response = json_response(request, body, code=e.code)
        except errors.NotFoundError as e:
            response = json_response(request, {"error": str(e)}, code=404)
        except errors.InvalidArgumentError as e:
            response = json_response(request, {"error": str(e)}, code=400)
        response.headers["Server-Timing"] = f"mesh3d;dur={(time.perf_counter() - start) * 1000:.1f}"
        return response

    return serve


def int_param(request, name, default=None):
    """Query parameter `name` as an int64 (`default` if absent; required if `default` is None)."""
    raw = request.args.get(name)
    if raw is None:
        if default is None:
            raise BadRequest(400, f"missing query parameter {name!r}")
        return default
    if not _DECIMAL.fullmatch(raw):
        raise BadRequest(
            400, f"query parameter {name!r} must be an integer in plain decimal digits 0-9, got {raw[:100]!r}"
        )
    value = int(raw) if len(raw) <= 20 else 2**64  # longer strings are out of range (and int() refuses them)
    if not -(2**63) <= value < 2**63:
        raise BadRequest(400, f"query parameter {name!r} is out of the int64 range")
    return value


def str_param(request, name):
    """Required query parameter `name`."""
    value = request.args.get(name)
    if value is None:
        raise BadRequest(400, f"missing query parameter {name!r}")
    return value
