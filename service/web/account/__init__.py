"""The account room: signing in and out, choosing the language, and the notification centre
(templates/account/)."""

from litestar import Router

from service.web.account import login, notifications
from service.web.page import PAGE_DEPENDENCIES

router = Router(
    path="/",
    route_handlers=[
        login.router,
        Router(
            path="/",
            route_handlers=[
                notifications.notification_list,
                notifications.open_notification,
                notifications.read_all,
                notifications.settings_form,
                notifications.save_settings,
            ],
            guards=[notifications.signed_in],
            dependencies=PAGE_DEPENDENCIES,
        ),
    ],
    include_in_schema=False,
)

__all__ = ["router"]
