"""create_app(settings) → the Litestar application: routes, dependencies, lifespan, errors, OpenAPI."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

from service import deps
from service.api_contract import BEARER, ClosedStructs, declare_contract, strict_bodies
from service.auth.api import AuthController, UserController
from service.bootstrap import prepare_database
from service.config import Settings
from service.crypto import PersonalDataCipher, data_key, signing_secret
from service.db import create_pool, database_url
from service.directory.api import OrganizationController, ReferenceController, ServiceController
from service.directory.hsds.api import HsdsController
from service.directory.search_index import search_engine
from service.health import healthz, readyz
from service.notify.api import NotificationController
from service.notify.worker import mail_worker
from service.problem_docs import document_problems
from service.reintegration.case_api import ConsentController, SurvivorController
from service.reintegration.follow_up_api import CaseFollowUpController, DashboardController
from service.reintegration.plan_api import CasePlanController, PlanController
from service.reintegration.referral_api import ReferralController
from service.reintegration.scheduler import reminder_scheduler
from service.web import account, admin, cases, dashboard, partner, public
from service.web.api_docs import ApiReference
from service.web.error_pages import exception_handlers
from service.web.headers import security_headers
from service.web.i18n import LocaleMiddleware
from service.web.templates import STATIC, template_config


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    cipher = PersonalDataCipher(data_key(settings))  # fails start-up, not a request, when the key is wrong
    csrf = CSRFConfig(
        secret=signing_secret(settings),
        cookie_secure=False,  # marked Secure per request by security_headers
        cookie_samesite="lax",
        exclude=["^/api/", "^/static/", "^/schema", "^/healthz$", "^/readyz$"],
    )

    @asynccontextmanager
    async def resources(app: Litestar) -> AsyncIterator[None]:
        url = await asyncio.to_thread(database_url, settings)
        pool = await create_pool(
            url, min_size=settings.pool_min_size, max_size=settings.pool_max_size, query_timeout_s=settings.db_timeout
        )
        try:
            async with pool.acquire() as conn:
                await prepare_database(conn, cipher)
            app.state.pool = pool
            app.state.cipher = cipher
            async with (
                search_engine(settings, pool) as search,
                reminder_scheduler(settings, pool),
                mail_worker(settings, pool),
            ):
                app.state.search = search
                yield
        finally:
            await pool.close()

    docs = ApiReference(schema_path="/schema")
    openapi = OpenAPIConfig(
        title="Kết Nối API",
        version="1",
        description=(
            "Directory of support services and survivor reintegration tracking. "
            "Send `Authorization: Bearer <token>` (from `POST /api/v1/auth/tokens`); without it you are the public. "
            "An operation that needs a token says so (its security); its summary names the roles allowed;"
            " out-of-scope ids answer 404."
        ),
        path="/schema",
        components=Components(
            security_schemes={BEARER: SecurityScheme(type="http", scheme="bearer")},
        ),
        render_plugins=[docs],
    )
    app = Litestar(
        route_handlers=[
            create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False),
            account.router,
            public.router,
            partner.router,
            cases.router,
            dashboard.router,
            admin.router,
            healthz,
            readyz,
            AuthController,
            UserController,
            ReferenceController,
            ServiceController,
            HsdsController,
            OrganizationController,
            SurvivorController,
            CasePlanController,
            CaseFollowUpController,
            ConsentController,
            PlanController,
            ReferralController,
            DashboardController,
            NotificationController,
        ],
        dependencies=deps.dependencies,
        middleware=[LocaleMiddleware],
        before_request=strict_bodies,
        before_send=[security_headers(secure_cookies=settings.secure_cookies, docs_paths=docs.addresses)],
        csrf_config=csrf,
        template_config=template_config(),
        exception_handlers=exception_handlers,
        lifespan=[resources],
        openapi_config=openapi,
        plugins=[ClosedStructs()],
        state=State({"settings": settings}),
    )
    document_problems(app)
    declare_contract(app)
    return app


def app_from_env() -> Litestar:
    """Factory for ``uvicorn --factory``: every worker builds its app from the environment."""
    return create_app(Settings.from_env())
