"""Every status a route can answer, in the OpenAPI document: the routes declare their own
successes and the errors of their logic (400, 404); the answers every route shares — no or a
bad token (401), a browser session's missing CSRF token (403), a path naming nothing (404),
input outside the schema (422), a body that is no JSON object or too large (400, 413) — are
added here from what the route takes, so a new route is documented without repeating them."""

from typing import Any

from ninja import NinjaAPI

ERROR = {"$ref": "#/components/schemas/Error"}
INVALID = {
    "type": "object", "title": "InvalidInput", "required": ["detail", "errors"],
    "properties": {"detail": {"type": "string"}, "errors": {"type": "array", "items": {"type": "object"}}},
}
UNSAFE = {"post", "put", "patch", "delete"}


def _shared_answers(path: str, method: str, operation: dict[str, Any]) -> dict[int, tuple[str, dict]]:
    answers: dict[int, tuple[str, dict]] = {}
    if operation.get("security"):
        answers[401] = ("No token or session, or a revoked token.", ERROR)
        if method in UNSAFE:
            answers[403] = ("Signed in by browser session without the CSRF token (tokens need none).", ERROR)
    if "{" in path:
        answers[404] = ("Nothing of that name, or nothing the caller may see.", ERROR)
    if operation.get("parameters") or operation.get("requestBody"):
        answers[422] = ("A parameter or field outside the schema; `errors` says which.", INVALID)
    if operation.get("parameters") or operation.get("requestBody"):
        answers[400] = ("A value was refused (or the body is not one JSON object); `detail` says why.", ERROR)
    if operation.get("requestBody"):
        answers[413] = ("The body is larger than the limit.", ERROR)
    return answers


def document_answers(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", {"type": "object", "title": "Error", "required": ["detail"],
                                    "properties": {"detail": {"type": "string", "title": "Detail"}}})
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, (description, body) in _shared_answers(path, method, operation).items():
                if status in responses or str(status) in responses:  # the route's own words win
                    continue
                responses[status] = {
                    "description": description, "content": {"application/json": {"schema": body}},
                }
    return schema


class DocumentedAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document lists every status each route can answer."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return document_answers(super().get_openapi_schema(*args, **kwargs))
