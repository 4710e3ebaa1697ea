"""Hotline messages: the catalogue of types and their rendering in each reader's language."""

from airhotline.core.messages.catalogue import (
    CATALOGUE,
    Attribute,
    Form,
    MessageType,
    Param,
    ParamKind,
    Response,
    allowed,
    closes,
)
from airhotline.core.messages.render import render, render_response

__all__ = [
    "CATALOGUE",
    "Attribute",
    "Form",
    "MessageType",
    "Param",
    "ParamKind",
    "Response",
    "allowed",
    "closes",
    "render",
    "render_response",
]
