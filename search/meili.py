"""MeiliSearch: the directory's search on a Meilisearch server (meilisearch-python-sdk AsyncClient).

The SDK stays in this module: its pydantic models never leave it, and what crosses the boundary is
our msgspec ``SearchDocument``/``SearchQuery``/``SearchResult``. Pure functions hold all the mapping
and are unit-tested without a server: ``search.meili_settings`` (``index_settings``),
``search.meili_documents`` (``to_meili_document``) and ``search.meili_queries`` (``build_filter``,
``search_params``, ``to_result``); ``MeiliSearch`` only moves their output over the wire.

Semantics follow ``search.postgres.PostgresSearch``:

- Visibility: public viewers see ``visibility = "public"`` only; a partner (``organization_id`` set)
  also sees its own organization's listings; staff (``sees_restricted``) see everything. Listings with
  status ``inactive`` are never found. The visibility clause is always the first in the filter.
- Filters are built from whitelisted attribute names only, and every value is a double-quoted string
  with ``\\`` and ``"`` escaped (or a number/boolean this module formats itself): no user text is ever
  interpolated raw. A province filter always includes ``national``.
- Times (``updated_at``, ``last_verified_at``) are stored as seconds since the epoch, so
  ``modified_after`` is the range filter ``updated_at > <seconds>``. Both sides come from the same
  microsecond timestamps and ``repr`` of a float reads back as the same double, so a listing changed
  exactly at ``modified_after`` is left out, as in PostgreSQL.
- Opening hours: ``open_week`` spans ``[start, end)`` (minutes of the week) are stored as
  ``open_slots``, the list of 15-minute slots (``minute // 15``, 0..671) the spans touch, so
  ``open_at_minute`` becomes ``open_slots = <slot>``. A span that starts or ends inside a slot marks
  the whole slot (a listing may be shown as open up to 14 minutes early or late; no listing that is
  open is ever left out). Spans running past the end of the week wrap to Monday.
- Location: ``_geo`` is the listing's first *public* point. Staff points are never sent to Meilisearch,
  so distances here are from public points for every viewer (PostgresSearch uses exact points for
  staff, and the nearest of all points).
- Text: Meilisearch normalises case and diacritics itself, so no folded copies are stored; matching
  requires every word (``matchingStrategy: all``) with the last as a prefix, like PostgresSearch.
  ``named_categories`` has no boost here: category labels are searchable in the second rank, and the
  vi/en synonyms make "tạm lánh" and "shelter" match the same labels.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from typing import Any

from search.documents import SearchDocument
from search.meili_documents import to_meili_document
from search.meili_queries import search_params, to_result
from search.meili_settings import index_settings
from search.protocol import SearchQuery, SearchResult


class MeiliSearch:
    """Search on a Meilisearch server. ``index``/``delete`` wait for their task and raise when it
    fails (the outbox that calls them retries); ``search`` raises on any error; ``ping`` never raises.
    """

    name = "meilisearch"

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        *,
        index_uid: str = "services",
        synonyms: Mapping[str, Sequence[str]] | None = None,
        task_timeout_ms: int = 120_000,
        client: Any = None,
    ) -> None:
        # The SDK's AsyncClient is typed, but its index and model types are pydantic generics that
        # must not leak past this module; held as Any so nothing here depends on them structurally.
        if client is None:
            from meilisearch_python_sdk import AsyncClient

            client = AsyncClient(url, api_key)
        self._client: Any = client
        self.index_uid = index_uid
        self._synonyms = synonyms
        self._task_timeout_ms = task_timeout_ms

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _wait(self, task: Any) -> None:
        await self._client.wait_for_task(task.task_uid, timeout_in_ms=self._task_timeout_ms, raise_for_status=True)

    def _settings(self) -> Any:
        from meilisearch_python_sdk.models.settings import MeilisearchSettings

        return MeilisearchSettings.model_validate(index_settings(self._synonyms))

    async def _prepare(self, uid: str) -> None:
        """Create ``uid`` (primary key ``id``) if missing, and apply the settings."""
        if await self._client.get_raw_index(uid) is None:
            await self._client.create_index(uid, primary_key="id", wait=True, timeout_in_ms=self._task_timeout_ms)
        await self._wait(await self._client.index(uid).update_settings(self._settings()))

    async def setup(self) -> None:
        """Create the index if needed and bring its settings up to date."""
        await self._prepare(self.index_uid)

    async def index(self, documents: list[SearchDocument]) -> None:
        await self._add(self.index_uid, documents)

    async def _add(self, uid: str, documents: Sequence[SearchDocument]) -> None:
        if documents:
            payload = [to_meili_document(doc) for doc in documents]
            await self._wait(await self._client.index(uid).add_documents(payload, primary_key="id"))

    async def delete(self, service_ids: list[uuid.UUID]) -> None:
        if service_ids:
            ids = [str(service_id) for service_id in service_ids]
            await self._wait(await self._client.index(self.index_uid).delete_documents(ids))

    async def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        params = search_params(query)
        results = await self._client.index(self.index_uid).search(
            params["q"],
            filter=params["filter"] or None,
            facets=params["facets"],
            page=params["page"],
            hits_per_page=params["hitsPerPage"],
            matching_strategy=params["matchingStrategy"],
            attributes_to_retrieve=params["attributesToRetrieve"],
            sort=params.get("sort"),
        )
        response: dict[str, Any] = results.model_dump(by_alias=True)
        took_ms = round((time.perf_counter() - started) * 1000, 2)
        return to_result(response, took_ms, near=query.near)

    async def ping(self) -> bool:
        try:
            health = await self._client.health()
        except Exception:
            return False
        return getattr(health, "status", None) == "available"

    async def rebuild(
        self, documents_batches: Iterable[Sequence[SearchDocument]] | AsyncIterable[Sequence[SearchDocument]]
    ) -> None:
        """Build ``<uid>_new`` from scratch, then swap it in: searches keep hitting the old index,
        complete, until the swap, which Meilisearch applies atomically. The old index is deleted after.
        """
        fresh = f"{self.index_uid}_new"
        await self._client.delete_index_if_exists(fresh)  # a leftover of an interrupted rebuild
        await self._prepare(fresh)
        if isinstance(documents_batches, AsyncIterable):
            async for batch in documents_batches:
                await self._add(fresh, batch)
        else:
            for batch in documents_batches:
                await self._add(fresh, batch)
        if await self._client.get_raw_index(self.index_uid) is None:
            await self._client.create_index(
                self.index_uid, primary_key="id", wait=True, timeout_in_ms=self._task_timeout_ms
            )
        await self._wait(await self._client.swap_indexes([(self.index_uid, fresh)]))
        await self._client.delete_index_if_exists(fresh)  # now holding the old documents
