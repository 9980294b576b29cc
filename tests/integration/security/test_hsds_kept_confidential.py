"""What an HSDS import kept of a listing's places (``hsds_kept``: a place outside Viet Nam whole, the
details of the places we model by position) never tells the public where a confidential place is:
the HSDS API and the public export show it by its province only, like the places we model, and a
confidential place's details never move onto another place when the listing's places are edited."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.integration.directory.hsds.test_hsds_transfer import export, load, rewrite, rows
from tests.integration.listings import service_body
from tests.integration.security.conftest import Scene
from tests.integration.security.test_confidential_addresses import everything_in

LANE = "Hẻm Sau Chợ Cá"  # a confidential address's second line: kept, not modelled
WAY_IN = "Cổng sau nhà thờ Tắc Vân"  # its service_at_location's description
RIDE = "Xe ôm từ bến đò Tắc Vân"  # its location's transportation
ABROAD = "88 Soi Sukhumvit Kín"  # the street of a confidential place outside Viet Nam
SECRETS = (LANE, WAY_IN, RIDE, ABROAD, "13.7371", "100.5602")


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


async def imported_listing(scene: Scene, tmp_path: Path) -> str:
    """A listing with a confidential place and a public one in Cà Mau, exported whole, given kept
    details on its confidential place and a confidential place in Bangkok, and imported again."""
    hidden = {"name": "Nhà kín", "street": "5 Ngõ Lặng", "commune": "Tắc Vân", "province_code": "96"}
    office = {"name": "Văn phòng", "street": "1 Trần Hưng Đạo", "commune": "Phường 5", "province_code": "96"}
    body = service_body(
        scene.actors.org,
        name="Nhà tạm lánh Mũi Cà Mau",
        locations=[{**hidden, "confidential": True}, {**office, "confidential": False}],
    )
    created = await scene.client.post("/api/v1/services", headers=scene.actors.admin.headers, json=body)
    assert created.status_code == 201, created.text
    service = created.json()
    hidden_id = service["locations"][0]["id"]
    package = tmp_path / "package"
    await export(scene.pool, package)

    abroad, abroad_sal = str(uuid.uuid4()), str(uuid.uuid4())
    links = rows(package, "service_at_location.csv")
    for link in links:
        if link["location_id"] == hidden_id:
            link["description"] = WAY_IN
    links.append({**links[0], "id": abroad_sal, "service_id": service["id"], "location_id": abroad, "description": ""})
    rewrite(package, "service_at_location.csv", links)
    places = rows(package, "locations.csv")
    mine = next(place for place in places if place["id"] == hidden_id)
    mine["transportation"] = RIDE
    places.append(
        {
            **mine,
            "id": abroad,
            "name": "Safe house",
            "description": "",
            "transportation": "",
            "latitude": "13.7371",
            "longitude": "100.5602",
        }
    )
    rewrite(package, "locations.csv", places)
    addresses = rows(package, "addresses.csv")
    theirs = next(address for address in addresses if address["location_id"] == hidden_id)
    theirs["address_2"] = LANE
    addresses.append(
        {
            **theirs,
            "id": str(uuid.uuid4()),
            "location_id": abroad,
            "address_1": ABROAD,
            "address_2": "",
            "city": "Khlong Toei",
            "state_province": "Bangkok",
            "country": "TH",
        }
    )
    rewrite(package, "addresses.csv", addresses)
    attributes = rows(package, "attributes.csv")
    flags = [a for a in attributes if a["link_id"] == hidden_id and a["value"] == "true"]
    assert len(flags) == 1  # the confidential flag, as our export writes it
    attributes.append({**flags[0], "id": str(uuid.uuid4()), "link_id": abroad})
    rewrite(package, "attributes.csv", attributes)

    report = await load(scene.pool, package)
    assert report.rejected == []
    staff = await scene.client.get(f"/api/v1/hsds/services/{service['id']}", headers=scene.actors.admin.headers)
    assert [secret for secret in SECRETS if secret not in staff.text] == []  # kept, and staff see it all
    return str(service["id"])


async def public_answers(scene: Scene, service: str, folder: Path) -> dict[str, str]:
    answers = {}
    for role in ("public", "other_partner"):
        for path in (
            f"/api/v1/hsds/services/{service}",
            "/api/v1/hsds/services?full=true&per_page=100",
            "/api/v1/hsds/services?format=ndjson&per_page=100",
        ):
            response = await scene.send(role, "GET", path)
            assert response.status_code == 200, response.text
            answers[f"{role} {path}"] = response.text
    await export(scene.pool, folder, include_restricted=False)
    answers["public export"] = everything_in(folder)
    return answers


async def test_kept_places_and_details_of_a_confidential_place_reach_no_public_answer(
    scene: Scene, tmp_path: Path
) -> None:
    service = await imported_listing(scene, tmp_path)

    answers = await public_answers(scene, service, tmp_path / "public")

    failures = [f"{where}: {found}" for where, text in answers.items() for found in leaks(text)]
    assert not failures, "\n".join(failures)


async def test_a_confidential_place_s_details_do_not_move_onto_another_place_when_places_are_edited(
    scene: Scene, tmp_path: Path
) -> None:
    service = await imported_listing(scene, tmp_path)
    admin = scene.actors.admin.headers
    current = await scene.client.get(f"/api/v1/services/{service}", headers=admin)
    office = [place for place in current.json()["locations"] if not place["confidential"]]
    edited = await scene.client.patch(
        f"/api/v1/services/{service}",
        headers={**admin, "if-match": current.headers["etag"]},
        json={"locations": [{k: v for k, v in place.items() if k != "id"} for place in office]},
    )
    assert edited.status_code == 200, edited.text

    answers = await public_answers(scene, service, tmp_path / "public")

    failures = [f"{where}: {found}" for where, text in answers.items() for found in leaks(text)]
    assert not failures, "\n".join(failures)
