"""Hotline messages: the catalogue of types, their parameters checked, and their
rendering in each reader's language."""

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
from airhotline.core.messages.params import checked_params, form_of
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
    "checked_params",
    "closes",
    "form_of",
    "render",
    "render_response",
]
