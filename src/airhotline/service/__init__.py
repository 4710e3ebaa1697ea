"""HTTP service: thin — it parses, authorises and calls the node. The only FastAPI user."""

from airhotline.service.app import DEFAULT_MAX_BODY_BYTES, create_app

__all__ = ["DEFAULT_MAX_BODY_BYTES", "create_app"]
