"""The OpenAPI schema is complete and true: every operation documents its problem+json error
responses (once, backend/schema.py), and the answers it describes are the answers given."""

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db
ERRORS = ("400", "401", "403", "404", "409", "413", "422", "429")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("get", "post", "patch", "put", "delete"):
                yield path, method, operation


def _json_schema(node):
    """OpenAPI 3.0's `nullable` as JSON Schema's "null" type, so that jsonschema can check."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _validator(schema, name: str):
    """A validator for one component, with the others resolvable by $ref."""
    root = {"$ref": f"#/components/schemas/{name}", "components": _json_schema(schema["components"])}
    return jsonschema.Draft4Validator(root)


def test_every_operation_documents_its_errors_as_problems(schema):
    operations = list(_operations(schema))
    assert len(operations) > 30
    for path, method, operation in operations:
        for status in ERRORS:
            response = operation["responses"].get(status)
            assert response, (method, path, status)
            content = response["content"]
            assert list(content) == ["application/problem+json"], (method, path, status)
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
        assert "Retry-After" in operation["responses"]["429"]["headers"]
        if "requestBody" in operation:
            assert "415" in operation["responses"], (method, path)


def test_the_problem_component_is_what_the_api_renders(schema, api_client, session):
    validator = _validator(schema, "Problem")
    not_found = api_client.get("/api/v1/no-such-thing/")
    invalid = api_client.post("/api/v1/bookings/", {"session": session.pk}, format="json")
    short_key = api_client.post(
        "/api/v1/bookings/", {"session": session.pk}, format="json", HTTP_IDEMPOTENCY_KEY="short"
    )
    assert [not_found.status_code, invalid.status_code, short_key.status_code] == [404, 400, 400]
    assert invalid.json()["errors"]
    for answer in (not_found, invalid, short_key):
        validator.validate(answer.json())
    assert set(schema["components"]["schemas"]["Problem"]["properties"]) == {
        "type",
        "title",
        "status",
        "detail",
        "code",
        "errors",
    }


def test_a_sessions_participants_are_documented_as_the_page_they_are(
    schema, as_user, librarian, session, book
):
    book(session, seats=2, accessibility_needs=["hearing_loop"], accessibility_consent=True)
    operation = schema["paths"]["/api/v1/sessions/{id}/bookings/"]["get"]
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/PaginatedParticipantOutputList"}
    assert {"page", "page_size"} <= {p["name"] for p in operation["parameters"]}
    answer = as_user(librarian).get(f"/api/v1/sessions/{session.pk}/bookings/")
    assert answer.status_code == 200 and answer.json()["count"] == 1
    _validator(schema, "PaginatedParticipantOutputList").validate(answer.json())


def test_a_visit_requests_chosen_date_option_may_be_null(schema):
    chosen = schema["components"]["schemas"]["VisitRequestOutput"]["properties"]["chosen_date_option"]
    assert chosen["type"] == "integer" and chosen["nullable"] is True


def test_a_creators_unavailable_dates_are_not_required_since_the_public_never_gets_them(
    schema, api_client, creator
):
    component = schema["components"]["schemas"]["CreatorOutput"]
    assert "unavailable" in component["properties"] and "unavailable" not in component["required"]
    public = api_client.get("/api/v1/creators/").json()["results"]
    assert public and all("unavailable" not in row for row in public)
    for row in public:
        assert set(component["required"]) <= set(row)


def test_the_own_data_calls_are_documented(schema):
    manage = schema["paths"]["/api/v1/bookings/manage/{token}/"]
    assert "204" in manage["delete"]["responses"]
    data = schema["paths"]["/api/v1/bookings/manage/{token}/data/"]["get"]["responses"]["200"]
    assert data["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/BookingDataOutput"}
