"""The account room: signing in and out, choosing the language, the notification centre, and the
pages a listing check-in's mail links to (templates/account/)."""

from litestar import Router

from service.web.account import check_in, login, notifications
from service.web.page import PAGE_DEPENDENCIES

router = Router(
    path="/",
    route_handlers=[
        login.router,
        # opened from a mail, signed in or not: the link's signed token says who answers
        Router(path="/", route_handlers=check_in.HANDLERS, dependencies=PAGE_DEPENDENCIES),
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
