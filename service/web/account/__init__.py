"""The account room: signing in and out, and choosing the language (templates/account/)."""

from service.web.account.login import router

__all__ = ["router"]
