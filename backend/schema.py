"""The OpenAPI schema tells every error an operation can answer with, once for all.

backend.errors renders every error under /api/ as application/problem+json (RFC 9457) with a
stable `code`; this drf-spectacular postprocessing hook adds that Problem component and the
error responses API.md names (400, 401, 403, 404, 409, 413, 422, 429; 415 where a body is
sent) to every operation, so that no view has to list them and a client (or schemathesis)
can rely on the schema for every status it may meet. A response a view documents itself is
left as it is.
"""

PROBLEM = {
    "type": "object",
    "description": "An error (RFC 9457). `detail` is in the request's language (Swedish by default, English).",
    "properties": {
        "type": {"type": "string", "format": "uri", "description": "A stable URI per code."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "A stable machine code (see the descriptions)."},
        "errors": {
            "type": "array",
            "description": "Where fields are at fault.",
            "items": {"$ref": "#/components/schemas/ProblemError"},
        },
    },
    "required": ["type", "title", "status", "detail", "code"],
}
PROBLEM_ERROR = {
    "type": "object",
    "properties": {
        "pointer": {
            "type": "string",
            "description": 'A JSON pointer into the request, e.g. "/sessions/0/start".',
        },
        "code": {"type": "string"},
        "detail": {"type": "string"},
    },
    "required": ["pointer", "code", "detail"],
}

# status -> the codes clients rely on (API.md "Error codes that clients rely on").
ERRORS = {
    "400": "Bad input: `invalid` (with field `errors`), `invalid_filter`, `phone_country_not_allowed`, "
    "`idempotency_key_too_short`.",
    "401": "`not_authenticated`.",
    "403": "`permission_denied` (a CSRF failure too).",
    "404": "`not_found` (another library's objects may answer 404).",
    "409": "`attendance_not_open`, `booking_not_open`, `booking_closed`, `session_cancelled`, `session_full`, "
    "`capacity_below_taken`, `room_taken`, `creator_unavailable`, `invalid_transition`, `offer_expired`, "
    "`idempotency_in_progress`, `waitlist_busy`.",
    "413": "`too_large`: the body is larger than the limit.",
    "422": "`idempotency_key_reused`.",
    "429": "`throttled`: wait for `Retry-After` seconds.",
}
BODY_ERRORS = {"415": "`unsupported_media_type`: send JSON."}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}
METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")


def _response(description: str, status: str) -> dict:
    response = {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status == "429":
        response["headers"] = RETRY_AFTER
    return response


def problem_responses(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry: see the module's docstring."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Problem", PROBLEM)
    schemas.setdefault("ProblemError", PROBLEM_ERROR)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            errors = {**ERRORS, **(BODY_ERRORS if "requestBody" in operation else {})}
            for status, description in errors.items():
                responses.setdefault(status, _response(description, status))
    return result
