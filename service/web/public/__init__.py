"""The public room: searching the directory, a listing, its printable page (templates/public/)."""

from service.web.public.listings import router

__all__ = ["router"]
