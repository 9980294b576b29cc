"""Schemathesis against the API's OpenAPI document, once per role, with every check it has: no
request may get a 5xx, every 4xx is an RFC 9457 problem document, every answer is one the document
describes (status, headers, content type, body), what the document allows is accepted and what it
forbids refused, and an operation that declares a token refuses a request without one.

A fixed seed keeps CI repeatable; ``KETNOI_FUZZ_EXAMPLES`` raises the examples per operation and
``KETNOI_FUZZ_SEED`` picks other cases (``make fuzz``). The figures land in test-artifacts/fuzz.json.
"""

from __future__ import annotations

import json
import uuid

import httpx
import hypothesis.strategies as st
import pytest
import schemathesis

from service.app import create_app
from service.config import Settings
from service.crypto import new_key
from tests.integration.fuzz.conftest import EXAMPLES, PHASES, ROLES, SEED, FuzzServer, Tally

# Field names that hold the same kind of id as a path parameter of that name.
ID_ALIASES = {
    "parent_id": "organization_id",
    "responsible_organization_id": "organization_id",
    "assigned_caseworker_id": "user_id",
    "entity_id": "survivor_id",
}
REVOKE_TOKEN = "DELETE /api/v1/auth/tokens/current"


def _openapi_document() -> dict[str, object]:
    """The document the service serves at /schema/openapi.json, built without a database: pytest
    collects one test per operation before any server runs (``test_served_document_is_the_fuzzed_one``
    holds the two equal)."""
    settings = Settings(database_url="postgresql://unused/unused", data_key=new_key(), secret_key=new_key())
    return create_app(settings).openapi_schema.to_schema()


DOCUMENT = _openapi_document()
schema = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            # No example database: a run replays exactly what its seed generates, here as in CI.
            "generation": {"max-examples": EXAMPLES, "database": "none", "with-security-parameters": False},
            # Every check runs. A request the document allows may still be refused by the state of
            # the records or by a rule across fields that a schema cannot state, as schemathesis
            # allows 404 and 409 for: 412 when If-Match names another version (RFC 9110), 422 for
            # a domain rule (a follow-up's next date after its date, an organization that must
            # exist, radius_km only with near; the parameters' descriptions state them). 400, the
            # answer to a request the document forbids, stays a failure.
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "412", "422", "429"]
                }
            },
            # Nor values learnt from the server's answers (new ids, error messages): the same seed
            # sends the same cases, so any failure it finds is found again.
            "phases": {
                "examples": {"enabled": "examples" in PHASES, "extra-data-sources": {"responses": False}},
                "coverage": {"enabled": "coverage" in PHASES, "extra-data-sources": {"responses": False}},
                "fuzzing": {
                    "enabled": "fuzzing" in PHASES,
                    "extra-data-sources": {"responses": False},
                    "error-feedback": {"enabled": False},
                },
                "stateful": {"enabled": False},
            },
        }
    ),
)
# Demo ids by parameter name, filled in by the ``server`` fixture before any case is generated.
KNOWN_IDS: dict[str, list[str]] = {}


def with_known_ids(_context: schemathesis.HookContext, value: object) -> st.SearchStrategy[object]:
    """Let each id the fuzzer generates be, at times, one that exists: random UUIDs only ever reach
    the "not found" branch of an operation."""
    if not isinstance(value, dict):
        return st.just(value)
    choices = {}
    for name, generated in value.items():
        ids = KNOWN_IDS.get(ID_ALIASES.get(name, name), [])
        # only in place of an id: a value made invalid on purpose (a null, a number) stays, so a
        # case meant to break the document still does
        choices[name] = st.sampled_from([generated, *ids]) if ids and _is_id(generated) else st.just(generated)
    return st.fixed_dictionaries(choices)


def _is_id(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


for _container in ("path_parameters", "query", "body"):
    schema.hook(f"flatmap_{_container}")(with_known_ids)


@pytest.fixture(scope="module")
def server(fuzz_server: FuzzServer) -> FuzzServer:
    KNOWN_IDS.update(fuzz_server.known_ids)
    return fuzz_server


def test_served_document_is_the_fuzzed_one(server: FuzzServer) -> None:
    served = httpx.get(f"{server.url}/schema/openapi.json", timeout=10).json()
    assert served == json.loads(json.dumps(DOCUMENT))


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
def test_api_answers_every_role_without_server_errors(
    case: schemathesis.Case, role: str, server: FuzzServer, fuzz_tally: Tally
) -> None:
    headers = server.headers[role]
    if case.operation.label == REVOKE_TOKEN and headers:
        headers = server.spare_headers(role)  # revoking the role's own token would end its run
    response = case.call(base_url=server.url, headers=headers)
    fuzz_tally.record(role, case.operation.label, response.status_code)

    assert response.status_code < 500, _server_error(case, response, server)
    if response.status_code >= 400:
        _assert_problem_document(response)
    # every check schemathesis has (conformance, negative and positive data, methods, auth), told
    # which token the case carried so its auth checks know what was sent
    case.validate_response(response, headers=headers)


def _assert_problem_document(response: schemathesis.Response) -> None:
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/problem+json"), (response.status_code, content_type, response.text)
    problem = response.json()
    assert isinstance(problem, dict), response.text
    assert problem.get("status") == response.status_code, response.text
    assert isinstance(problem.get("title"), str) and problem["title"], response.text


def _server_error(case: schemathesis.Case, response: schemathesis.Response, server: FuzzServer) -> str:
    return (
        f"{response.status_code} on {case.operation.label}\n{case.as_curl_command()}\n"
        f"server log (end):\n{server.log.read_text()[-3000:]}"
    )
