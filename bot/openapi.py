"""Validation errors as the app answers them (400, never echoing the input) and the OpenAPI
document that declares exactly that."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {"error": {"type": "string"}, "detail": {"type": "array", "items": {"type": "object"}}},
    "required": ["error"],
}


def _text(value: Any) -> str:
    """Printable, UTF-8 encodable text (a lone surrogate becomes its escape)."""
    return str(value).encode("utf-8", "backslashreplace").decode("utf-8")[:200]


def validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Where and why the request is invalid; never the input itself nor an exception object."""
    return [
        {
            "loc": [item if isinstance(item, int) else _text(item) for item in err.get("loc", ())],
            "msg": _text(err.get("msg", "")),
            "type": _text(err.get("type", "")),
        }
        for err in exc.errors()
    ]


# The error answers each area gives besides validation (its routes raise them): declared here so
# the document lists every status a client can get (the schemathesis run checks it).
AREA_ERRORS: tuple[tuple[str, dict[int, str]], ...] = (
    ("/webhooks/rest/", {400: "body is not a JSON object of the documented shape"}),
    ("/model/parse", {400: "body is not JSON with a string 'text'", 503: "the NLU model is not loaded yet"}),
    ("/console/api/login", {401: "wrong username or password", 429: "too many failed logins"}),
    ("/console/api/", {401: "log in first", 403: "not allowed (role, CSRF token, owner)",
                       404: "no such conversation or ticket", 409: "the conversation or ticket moved on"}),
    ("/merchant/", {401: "missing or unknown X-Merchant-Key", 403: "another merchant's order or ticket",
                    404: "no such order or ticket", 409: "the order or ticket is not in that state",
                    502: "the platform refused"}),
    ("/payments/", {400: "the callback was refused", 401: "the callback does not verify",
                    404: "unknown payment provider"}),
    ("/pay/", {404: "unknown payment", 422: "unknown payment method"}),
    ("/carriers/", {400: "the callback was refused", 404: "unknown carrier"}),
    ("/charts/", {404: "unknown product", 422: "bad chart parameters"}),
    ("/sandbox/platforms/", {404: "unknown platform or product", 422: "bad price",
                             503: "the demo platforms are not running"}),
    ("/sandbox/", {404: "unknown payment, parcel, job or order", 409: "not in a state to do that"}),
)


def _declare_area_errors(path: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    for prefix, errors in AREA_ERRORS:
        if path.startswith(prefix):
            for code, description in errors.items():
                responses.setdefault(str(code), {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                })
            return


def openapi_with_400(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document with every "422 Validation Error" declared as the 400 the app answers,
    and each area's error answers declared (AREA_ERRORS)."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        for route, path in schema.get("paths", {}).items():
            for operation in path.values():
                responses = operation.get("responses", {})
                if responses.pop("422", None) is not None:  # FastAPI's validation error: we answer 400
                    responses["400"] = {
                        "description": "Invalid request",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    }
                _declare_area_errors(route, operation)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Error"] = ERROR_SCHEMA
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        app.openapi_schema = schema
    return app.openapi_schema
