"""A YAML (or JSON) file an operator wrote, read whole, with what went wrong in one
line: the file that could not be read, or the line its YAML breaks on."""

from __future__ import annotations

from pathlib import Path

__all__ = ["YamlFileError", "read_yaml"]


class YamlFileError(ValueError):
    """The file cannot be read, or holds no YAML; the message names it (and the line)."""


def read_yaml(path: Path) -> object:
    """The document in the file at ``path`` (None when it is empty)."""
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise YamlFileError(f"{path}: cannot read it: {error.strerror or error}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        mark = getattr(error, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise YamlFileError(f"{path}: not YAML{line}") from None
