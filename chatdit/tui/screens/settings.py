"""The settings in force for this session, where each comes from, and the config file's path."""

from __future__ import annotations

import os

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from chatdit.config import Settings, config_path, load_settings

SECRET = {"llm_api_key"}


def setting_rows(session_settings: dict, settings: Settings) -> list[tuple[str, str, str, str]]:
    """(key, value, source, description) for every setting."""
    rows = []
    for key, field in Settings.model_fields.items():
        value = getattr(settings, key)
        if key in session_settings:
            source = "session"
        elif f"CHATDIT_{key.upper()}" in os.environ:
            source = "environment"
        elif field.default != value:
            source = "config.toml"
        else:
            source = "default"
        shown = "•••" if key in SECRET and value else str(value)
        rows.append((key, shown, source, field.description or ""))
    return rows


class SettingsScreen(Screen[None]):
    BINDINGS = [Binding("escape,q", "back", "Back")]

    def __init__(self, session=None):
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Settings from {config_path()}, CHATDIT_* variables and this session. "
                     "Change them with /model, /llm, /critic, /rounds, /seed, /approval or in config.toml.",
                     classes="screen-title", markup=False)
        yield DataTable(id="settings", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "settings"
        settings = self.session.settings if self.session else load_settings()
        table = self.query_one(DataTable)
        table.add_columns("setting", "value", "from", "what it does")
        table.add_rows(setting_rows(self.session.record.settings if self.session else {}, settings))
        table.focus()

    def action_back(self) -> None:
        self.dismiss(None)
