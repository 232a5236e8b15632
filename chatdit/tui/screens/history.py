"""A session's turns as a tree: every branch kept; undo, and branch from any finished turn."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, Tree

from chatdit.schema import Turn
from chatdit.session import Session
from chatdit.tui.errors import report

MARKS = {"done": "✓", "failed": "✗", "cancelled": "⊘", "running": "…"}


def turn_label(turn: Turn, head: str | None, on_branch: set[str]) -> str:
    words = turn.message.replace("\n", " ")
    words = words[:48] + "…" if len(words) > 49 else words
    pictures = f"  ({len(turn.assets)} pictures)" if turn.assets else ""
    here = "  ◀ you are here" if turn.id == head else ""
    dim = "" if turn.id in on_branch else " (other branch)"
    return f"{MARKS.get(turn.status, '?')} {words}{pictures}{dim}{here}"


class HistoryScreen(Screen[bool]):
    """Dismisses with True when the head moved (the chat should reload)."""

    BINDINGS = [
        Binding("b", "branch", "Branch from here"),
        Binding("u", "undo", "Undo"),
        Binding("s", "branch_start", "Start over"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, session: Session):
        super().__init__()
        self.session, self.moved = session, False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("History: b branches from the selected turn; later turns are kept", classes="screen-title")
        yield Tree("start", id="turns")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"history of {self.session.title}"
        self.rebuild()

    def rebuild(self) -> None:
        tree = self.query_one(Tree)
        tree.clear()
        tree.root.data = None
        head, on_branch = self.session.record.head, {t.id for t in self.session.history()}
        nodes = {None: tree.root}
        for turn in self.session.turns():
            parent = nodes.get(turn.parent_id, tree.root)
            nodes[turn.id] = parent.add(turn_label(turn, head, on_branch), data=turn.id, expand=True)
            parent.allow_expand = True
        tree.root.expand_all()
        if head in nodes:
            self.call_after_refresh(tree.move_cursor, nodes[head])
        tree.focus()

    def selected_turn(self) -> str | None:
        node = self.query_one(Tree).cursor_node
        return node.data if node is not None else None

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()

    def action_branch(self) -> None:
        self.move(lambda: self.session.branch(self.selected_turn()), "Continuing from the selected turn.")

    def action_branch_start(self) -> None:
        self.move(lambda: self.session.branch(None), "Starting over from an empty book; nothing was deleted.")

    def action_undo(self) -> None:
        self.move(self.session.undo, "Stepped back one turn.")

    def move(self, change, done: str) -> None:
        try:
            change()
        except Exception as exc:  # noqa: BLE001
            report(self.app, exc)
            return
        self.moved = True
        self.notify(done)
        self.rebuild()

    def action_back(self) -> None:
        self.dismiss(self.moved)
