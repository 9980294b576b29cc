"""Clients that keep writing while something fails, and the ledger of what each request got back.

Each client is the only writer of what it touches (one listing, or one referral at a time), so
the state it expects is exact: what its acknowledged writes made, plus at most the one write
whose answer it never saw. ``settle`` reads the database to learn whether that write landed.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import httpx

from service.db import Connection
from service.reintegration.workflow import REFERRAL_TRANSITIONS

# A referral's life as one partner and one caseworker drive it, after it is sent.
REFERRAL_STEPS = ("accept", "start", "hold", "resume", "complete", "verify")
RECEIVER_STEPS = frozenset(REFERRAL_STEPS) - {"verify"}


class NoAnswer(Exception):
    """The connection was cut before an answer came: the service is gone."""


@dataclass
class Write:
    """One request that changes something, and its HTTP status (None: no answer at all)."""

    kind: str
    status: int | None = None
    applied: bool | None = None  # for a write without a 2xx: did it land after all (None: not settled yet)

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def unknown(self) -> bool:
        """No answer, or a 503: the change may or may not have been committed."""
        return self.status is None or self.status == 503


@dataclass
class ListingWrite(Write):
    version: int = 0  # the version this write makes (the writer is the listing's only writer)
    change: dict[str, Any] = field(default_factory=dict)


async def _send(request: Any) -> httpx.Response:
    try:
        return await request  # type: ignore[no-any-return]
    except httpx.TransportError as exc:
        raise NoAnswer(repr(exc)) from exc


W = TypeVar("W", bound=Write)


class _Client(Generic[W]):
    """What every client does with the answer to one of its writes."""

    pending: W | None  # the write whose outcome is unknown until settled

    async def _answer(self, write: W, request: Any, what: str) -> httpx.Response | None:
        """Send ``write``'s request and record its status. The response when acknowledged; None
        when the outcome is unknown (the write is left pending); NoAnswer, the write left pending,
        when the service is gone; ``what`` answered anything else fails the test."""
        try:
            response = await _send(request)
        except NoAnswer:
            self.pending = write
            raise
        write.status = response.status_code
        if write.acknowledged:
            return response
        if write.unknown:
            self.pending = write
            return None
        raise AssertionError(f"{what} answered {response.status_code}: {response.text}")


@dataclass
class ListingWriter(_Client[ListingWrite]):
    """Edits one listing over and over: names and accepting_referrals by PATCH with If-Match,
    beds free by PUT, each write changing every field it sends."""

    client: httpx.AsyncClient
    headers: dict[str, str]
    listing_id: str
    tag: str
    state: dict[str, Any]  # name, accepting_referrals, capacity_available as last committed
    version: int
    writes: list[ListingWrite] = field(default_factory=list)
    pending: ListingWrite | None = None

    @classmethod
    def from_created(
        cls, client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any], tag: str
    ) -> ListingWriter:
        state = {k: body[k] for k in ("name", "accepting_referrals", "capacity_available")}
        return cls(client, headers, body["id"], tag, state, body["version"])

    def _next(self) -> tuple[str, dict[str, Any]]:
        n = len(self.writes)
        if n % 2 == 0:
            flipped = not self.state["accepting_referrals"]
            return "update", {"name": f"{self.tag} bản {n}", "accepting_referrals": flipped}
        return "capacity", {"capacity_available": (self.state["capacity_available"] + 1) % 21}

    async def step(self) -> ListingWrite:
        assert self.pending is None, "settle the write with an unknown outcome first"
        kind, change = self._next()
        write = ListingWrite(kind, version=self.version + 1, change=change)
        self.writes.append(write)
        url = f"/api/v1/services/{self.listing_id}"
        if kind == "update":
            headers = {**self.headers, "If-Match": f'"{self.version}"'}
            request = self.client.patch(url, headers=headers, json=change)
        else:
            body = {"available": change["capacity_available"]}
            request = self.client.put(f"{url}/capacity", headers=self.headers, json=body)
        response = await self._answer(write, request, f"{kind} of {self.tag}")
        if response is not None:
            body = response.json()
            assert body["version"] == write.version, body
            assert response.headers["etag"] == f'"{write.version}"'
            assert {k: body[k] for k in change} == change, body
            self._adopt(write)
        return write

    def _adopt(self, write: ListingWrite) -> None:
        self.version = write.version
        self.state.update(write.change)

    async def settle(self, conn: Connection) -> None:
        """Learn from the database whether the write without a 2xx landed, and go on from there."""
        if self.pending is None:
            return
        write = self.pending  # cleared only once read: a read cut by the outage leaves it pending
        version = await conn.fetchval("SELECT version FROM service WHERE id = $1", self.listing_id)
        assert version in (self.version, write.version), (self.tag, version, self.version)
        write.applied = version == write.version
        if write.applied:
            self._adopt(write)
        self.pending = None

    async def confirm(self, conn: Connection) -> int:
        """Check the listing holds exactly what this writer's writes made; return how many
        acknowledged writes were found in the database."""
        row = await conn.fetchrow(
            "SELECT version, name, accepting_referrals, capacity_available FROM service WHERE id = $1",
            self.listing_id,
        )
        assert row is not None, f"{self.tag}: listing gone"
        assert row["version"] == self.version, (self.tag, row["version"], self.version)
        assert {k: row[k] for k in self.state} == self.state, (self.tag, dict(row), self.state)
        revisions = {
            r["version"]: r
            for r in await conn.fetch(
                "SELECT version, action, changes FROM service_revision WHERE service_id = $1", self.listing_id
            )
        }
        found = 0
        for write in self.writes:
            revision = revisions.get(write.version)
            landed = (
                revision is not None
                and revision["action"] == write.kind
                and all(revision["changes"].get(k, [None, None])[1] == v for k, v in write.change.items())
            )
            if write.acknowledged:
                found += landed
            elif write.applied:
                assert landed, (self.tag, write)
        return found


@dataclass
class CreateWrite(Write):
    name: str = ""
    listing_id: str | None = None


@dataclass
class ListingCreator(_Client[CreateWrite]):
    """Creates listings one after another, each with a name of its own to find it by."""

    client: httpx.AsyncClient
    headers: dict[str, str]
    body: dict[str, Any]  # a complete listing body; the name is replaced
    tag: str
    writes: list[CreateWrite] = field(default_factory=list)
    pending: CreateWrite | None = None

    async def step(self) -> CreateWrite:
        assert self.pending is None, "settle the write with an unknown outcome first"
        write = CreateWrite("create", name=f"{self.tag} số {len(self.writes)}")
        self.writes.append(write)
        body = {**self.body, "name": write.name}
        request = self.client.post("/api/v1/services", headers=self.headers, json=body)
        response = await self._answer(write, request, f"create by {self.tag}")
        if response is not None:
            assert response.json()["name"] == write.name
            write.listing_id = response.json()["id"]
        return write

    async def settle(self, conn: Connection) -> None:
        if self.pending is None:
            return
        write = self.pending
        found = await conn.fetch("SELECT id FROM service WHERE name = $1", write.name)
        assert len(found) <= 1, write
        write.applied = bool(found)
        self.pending = None

    async def confirm(self, conn: Connection) -> int:
        """Every acknowledged listing is there under its name; return how many."""
        found = 0
        for write in self.writes:
            if write.acknowledged:
                name = await conn.fetchval("SELECT name FROM service WHERE id = $1", write.listing_id)
                found += name == write.name
        return found


@dataclass
class TrackedReferral:
    summary: str
    id: str | None = None
    statuses: list[str] = field(default_factory=list)  # acknowledged (or settled as landed), in order


@dataclass
class ReferralWrite(Write):
    referral: TrackedReferral | None = None
    position: int = 0  # index in the referral's history of the event this write makes


_serial = itertools.count(1)


@dataclass
class ReferralDriver(_Client[ReferralWrite]):
    """Refers, then walks each referral through accept → start → hold → resume → complete →
    verify (partner for the receiving steps, caseworker for the rest), then refers again."""

    client: httpx.AsyncClient
    caseworker: dict[str, str]
    partner: dict[str, str]
    case_id: str
    service_id: str
    tag: str
    referrals: list[TrackedReferral] = field(default_factory=list)
    writes: list[ReferralWrite] = field(default_factory=list)
    pending: ReferralWrite | None = None

    def _next_action(self) -> str:
        current = self.referrals[-1] if self.referrals else None
        if current is None or len(current.statuses) > len(REFERRAL_STEPS):
            return "refer"
        return REFERRAL_STEPS[len(current.statuses) - 1]

    async def step(self) -> ReferralWrite:
        assert self.pending is None, "settle the write with an unknown outcome first"
        action = self._next_action()
        if action == "refer":
            tracked = TrackedReferral(summary=f"Ca thử độ bền {self.tag}-{next(_serial)}: cần chỗ ở an toàn.")
            self.referrals.append(tracked)
            body = {"survivor_id": self.case_id, "service_id": self.service_id, "shared_summary": tracked.summary}
            request = self.client.post("/api/v1/referrals", headers=self.caseworker, json=body)
        else:
            tracked = self.referrals[-1]
            headers = self.partner if action in RECEIVER_STEPS else self.caseworker
            request = self.client.post(f"/api/v1/referrals/{tracked.id}/{action}", headers=headers)
        write = ReferralWrite(action, referral=tracked, position=len(tracked.statuses))
        self.writes.append(write)
        response = await self._answer(write, request, f"{action} by {self.tag}")
        if response is not None:
            body = response.json()
            tracked.id = body["id"]
            assert [e["to_status"] for e in body["history"]] == [*tracked.statuses, target(action)], body
            tracked.statuses.append(target(action))
        return write

    async def settle(self, conn: Connection) -> None:
        """Learn from the database whether the write without a 2xx landed."""
        if self.pending is None:
            return
        write = self.pending
        tracked = write.referral
        assert tracked is not None
        referral_id = tracked.id
        if referral_id is None:
            # the summary is stored encrypted: the unknown referral is the case's one not tracked yet
            known = [uuid.UUID(r.id) for r in self.referrals if r.id is not None]
            found = await conn.fetch(
                "SELECT id FROM referral WHERE survivor_id = $1::uuid AND id <> ALL($2::uuid[])", self.case_id, known
            )
            assert len(found) <= 1, tracked
            referral_id = str(found[0]["id"]) if found else None
        events = []
        if referral_id is not None:
            events = [
                r["to_status"]
                for r in await conn.fetch(
                    "SELECT to_status FROM referral_event WHERE referral_id = $1 ORDER BY id", referral_id
                )
            ]
        # only now, with everything read: a read cut by the outage leaves the write pending
        assert events in (tracked.statuses, [*tracked.statuses, target(write.kind)]), (tracked, events)
        write.applied = len(events) > len(tracked.statuses)
        tracked.id, tracked.statuses, self.pending = referral_id, events, None
        if referral_id is None:
            self.referrals.pop()  # never created: the next step refers afresh

    async def confirm(self, conn: Connection) -> int:
        """Check every referral is where this driver's writes left it; return how many
        acknowledged writes were found in the database."""
        stored: dict[str, list[str]] = {}
        for tracked in self.referrals:
            rows = await conn.fetch(
                "SELECT e.to_status, r.status FROM referral r JOIN referral_event e ON e.referral_id = r.id"
                " WHERE r.id = $1 ORDER BY e.id",
                tracked.id,
            )
            stored[str(tracked.id)] = events = [r["to_status"] for r in rows]
            assert events == tracked.statuses, (tracked, events)
            assert rows[-1]["status"] == events[-1], (tracked, rows[-1]["status"])
        found = 0
        for write in self.writes:
            if write.acknowledged:
                assert write.referral is not None
                events = stored.get(str(write.referral.id), [])
                found += write.position < len(events) and events[write.position] == target(write.kind)
        return found


def target(action: str) -> str:
    """The status an action leads to ('refer' sends)."""
    return "sent" if action == "refer" else REFERRAL_TRANSITIONS[action].target.value


class Writer(Protocol):
    @property
    def writes(self) -> Sequence[Write]: ...
    @property
    def pending(self) -> Write | None: ...

    async def step(self) -> Write: ...
    async def settle(self, conn: Connection) -> None: ...
    async def confirm(self, conn: Connection) -> int: ...


async def keep_writing(writer: Writer, acknowledged: list[int]) -> None:
    """Write until the service stops answering; count acknowledgements in ``acknowledged[0]``."""
    while True:
        try:
            write = await writer.step()
        except NoAnswer:
            return
        acknowledged[0] += write.acknowledged


async def settle_and_confirm(writers: Sequence[Writer], conn: Connection) -> dict[str, int]:
    """Settle every write whose answer was lost, confirm every acknowledged one; the figures."""
    for writer in writers:
        await writer.settle(conn)
    writes = [w for writer in writers for w in writer.writes]
    return {
        "attempted": len(writes),
        "acknowledged": sum(w.acknowledged for w in writes),
        "answered_503": sum(w.status == 503 for w in writes),
        "unanswered": sum(w.status is None for w in writes),
        "landed_without_acknowledgement": sum(bool(w.applied) for w in writes),
        "acknowledged_found": sum([await writer.confirm(conn) for writer in writers]),
    }
