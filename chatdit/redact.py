"""Secrets never at rest: keys and URL credentials are used for the run and never written.

`llm_api_key` is kept in memory only (a later run gives it again: environment, config.toml or
`--set`), a URL's `user:password@` is cut before a setting is stored, and every text chatdit
writes into a session (session.json, a turn's error) passes through `redact`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SECRET_SETTINGS = frozenset({"llm_api_key"})
URL_SETTINGS = frozenset({"llm_url"})
USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@\"'<>]+@")
_seen: set[str] = set()
"""Secret values given to this process, so that a key repeated in an error message is cut too."""


def strip_userinfo(url: str) -> str:
    """'http://user:pw@host:8000/v1' -> 'http://host:8000/v1'."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return USERINFO.sub(r"\1", url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def split_secrets(settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what may be stored, what is for this run only) of a settings dict."""
    stored, run_only = {}, {}
    for key, value in settings.items():
        if key in SECRET_SETTINGS:
            run_only[key] = value
            if isinstance(value, str) and len(value) >= 4:
                _seen.add(value)
        elif key in URL_SETTINGS and isinstance(value, str) and strip_userinfo(value) != value:
            run_only[key] = value
            stored[key] = strip_userinfo(value)
            user, _, password = urlsplit(value).netloc.rsplit("@", 1)[0].partition(":")
            _seen.update(secret for secret in (password, user if not password else "") if len(secret) >= 6)
        else:
            stored[key] = value
    return stored, run_only


def redact(text: str) -> str:
    """The text with URL credentials and every secret seen in this process replaced by '***'."""
    text = USERINFO.sub(r"\1***@", text)
    for secret in _seen:
        text = text.replace(secret, "***")
    return text
