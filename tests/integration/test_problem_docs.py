"""The API document tells clients the truth about errors: every client error of an ``/api``
operation is a problem document (RFC 9457), in the documented shape."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    return (await client.get("/schema/openapi.json")).json()  # type: ignore[no-any-return]


async def test_every_api_operation_documents_client_errors_as_problems(document: dict[str, Any]) -> None:
    operations = [
        (method, path, operation)
        for path, item in document["paths"].items()
        if path.startswith("/api/")
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(operations) > 50
    for method, path, operation in operations:
        for status in ("400", "4XX"):
            assert operation["responses"][status]["content"] == PROBLEM, (method, path, status)


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/api/v1/services/00000000-0000-4000-8000-000000000000", None, 404),
        ("POST", "/api/v1/auth/tokens", {"email": "not an address"}, 400),
        ("GET", "/api/v1/me", None, 401),
    ],
)
async def test_served_problems_have_the_documented_shape(
    client: httpx.AsyncClient, document: dict[str, Any], method: str, path: str, body: object, status: int
) -> None:
    response = await client.request(method, path, json=body)
    assert response.status_code == status
    problem = {"$ref": "#/components/schemas/Problem", "components": document["components"]}
    jsonschema.Draft202012Validator(problem).validate(response.json())
