"""OpenAPI post-processing: the error answers any operation can give, documented on every operation.

Whatever a view declares, the framework around it may answer: 401 (a malformed or revoked Bearer token, on any
route that reads credentials), 400 (a malformed parameter, e.g. a NUL character, on any route), 404 (an unknown
identifier in the path), 413 and 415 (a body too large, or of a
type the operation does not parse) and 429 (the rate limits). Each is the API's one error body (``Error``).
"""

from __future__ import annotations

STANDARD_ERRORS = {
    "400": "The request is malformed; each problem names its parameter or field.",
    "401": "Missing, malformed, unknown or revoked credentials.",
    "404": "Nothing with this identifier (or not yours to see).",
    "413": "The request body is too large.",
    "415": "The body's content type is not one this operation reads.",
    "429": "Too many requests: retry after the Retry-After header's seconds.",
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
METHODS = {"get", "post", "put", "patch", "delete"}


def document_standard_errors(result, generator, request, public):
    """drf-spectacular hook: add the statuses above where they apply and are not documented yet."""
    if "Error" not in result.get("components", {}).get("schemas", {}):
        return result
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            wanted = {"400", "429"}  # any query string may be refused (e.g. a NUL character in it)
            if operation.get("operationId") != "ping":
                wanted.add("401")
            if "{" in path:
                wanted.add("404")
            if "requestBody" in operation:
                wanted |= {"413", "415"}
            responses = operation.setdefault("responses", {})
            for status in sorted(wanted - responses.keys()):
                responses[status] = {
                    "description": STANDARD_ERRORS[status],
                    "content": {"application/json": {"schema": ERROR_REF}},
                }
    return result
