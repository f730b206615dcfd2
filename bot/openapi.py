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


def openapi_with_400(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document with every "422 Validation Error" declared as the 400 the app answers."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = operation.get("responses", {})
                if responses.pop("422", None) is not None:
                    responses["400"] = {
                        "description": "Invalid request",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    }
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Error"] = ERROR_SCHEMA
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        app.openapi_schema = schema
    return app.openapi_schema
