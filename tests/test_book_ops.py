"""Books that grow and change: pages added after the last with the same characters, removed,
moved and swapped (pictures and texts together), a new book begun with the old one kept in
history, undo over all of them, from the API and the TUI."""

from __future__ import annotations

import pytest
from chatdit.agents.book_ops import new_order, reorder_reply, span
from chatdit.agents.parser import ParseContext, parse_message
from chatdit.tools.registry import args_of

from chatdit import Session
from chatdit.errors import ChatditError, InstructionError, PageReferenceError
from chatdit.llm.base import RulesBackend
from chatdit.schema import BookOp

SIX_PAGES = ParseContext(pages=[1, 2, 3, 4, 5, 6], characters=["fox"], last_asset_id="a")
TINY = {"model": "tiny", "width": 64, "height": 64, "steps": 2, "critic": False, "rounds": 1, "seed": 1}
FOX_BOOK = ("a 4-page picture book about a red fox: page 1 the fox at sunset, page 2 the fox under a moon at night, "
            "page 3 the fox by the sea with two boats, page 4 the fox in the snow with a green tree")


def read(message: str, context: ParseContext = SIX_PAGES):
    return parse_message(message, [], context, RulesBackend())


# -- reading the words -------------------------------------------------------------------------

@pytest.mark.parametrize("message, kind, pages, before", [
    ("add two more pages: page 7 the fox at sea, page 8 the fox at home", "append", [7, 8], None),
    ("add a page where the fox sleeps", "append", [7], None),
    ("continue the book with two more pages: the fox at sea; the fox at home", "append", [7, 8], None),
    ("continue the book: the fox finds a bird", "append", [7], None),
    ("page 7: the fox in the snow", "append", [7], None),
    ("add two more pages", "append", [7, 8], None),
    ("remove page 3", "remove", [3], None),
    ("please delete pages 2 and 4", "remove", [2, 4], None),
    ("delete the last page", "remove", [6], None),
    ("remove the last two pages", "remove", [5, 6], None),
    ("move page 4 before page 2", "move", [4], 2),
    ("move page 2 after page 4", "move", [2], 5),
    ("move page 5 to the front", "move", [5], 1),
    ("swap pages 1 and 2", "swap", [1, 2], None),
    ("start a new book about a green frog", "new_book", [], None),
    ("new book: a green frog", "new_book", [], None),
    ("start a new book", "new_book", [], None),
])
def test_book_operations_are_read_from_the_words(message, kind, pages, before):
    op = read(message).book_op
    assert (op.kind, op.pages, op.before) == (kind, pages, before)


def test_new_pages_follow_the_last_and_a_page_that_names_no_one_is_the_heros():
    added = read("add two more pages: page 7 the fox at sea, page 8 asleep under a tree")
    assert [(p.number, p.prompt) for p in added.pages] == [(7, "the fox at sea"), (8, "the fox asleep under a tree")]
    assert [s.name for s in added.pages[1].subjects] == ["fox", "tree"]
    assert added.pages[0].background == "sea" and added.output_count == 2
    bare = read("add two more pages")
    assert [p.number for p in bare.pages] == [7, 8] and all("the fox" in p.prompt for p in bare.pages)
    assert bare.pages[-1].text and "The end" in bare.pages[-1].text


def test_a_new_book_about_something_lists_its_own_pages():
    made = read("start a new book about a green frog")
    assert made.collection == "book" and made.output_count == 4
    assert [(s.name, s.color) for s in made.subjects] == [("frog", "green")]


@pytest.mark.parametrize("message, error, says", [
    ("page 9: the fox in the snow", PageReferenceError, "next free page is 7"),
    ("page 7: make the sky darker", PageReferenceError, "no page 7 to change"),
    ("add two more pages: page 5 the fox at sea, page 6 the fox at home", PageReferenceError, "start at page 7"),
    ("add two more pages: page 7 the fox at sea, page 9 the fox at home", PageReferenceError, "one after another"),
    ("add three more pages: page 7 the fox at sea, page 8 the fox at home", InstructionError, "say what each shows"),
    ("remove page 9", PageReferenceError, "no page 9"),
    ("move page 8 before page 2", PageReferenceError, "no page 8"),
    ("move page 2 before page 9", PageReferenceError, "no page 9"),
    ("move page 2 before page 3", InstructionError, "already there"),
    ("swap pages 2 and 2", InstructionError, "two different pages"),
])
def test_bad_page_numbers_are_errors_that_say_which_pages_exist(message, error, says):
    with pytest.raises(error, match=says):
        read(message)


def test_an_empty_session_has_nothing_to_remove_and_new_pages_start_at_one():
    empty = ParseContext()
    with pytest.raises(PageReferenceError, match="no pages yet"):
        read("delete the last page", empty)
    assert [p.number for p in read("add a page where a fox sleeps", empty).pages] == [1]


@pytest.mark.parametrize("message", [
    "page 3: make the sky darker", "add a sun to page 2", "make two pages of a fox", "remove the fox from page 3",
    "a 2-page book about a fox: page 1 the fox at sea, page 2 the fox at home",
])
def test_edits_and_new_requests_are_not_book_operations(message):
    assert read(message).book_op is None


def test_reorders_say_which_pages_moved():
    six = [1, 2, 3, 4, 5, 6]
    remove = BookOp(kind="remove", pages=[3])
    assert reorder_reply(remove, new_order(remove, six), 6).startswith("Removed page 3; pages 4-6 are now 3-5;")
    move = BookOp(kind="move", pages=[4], before=2)
    assert new_order(move, six) == [1, 4, 2, 3, 5, 6]
    assert reorder_reply(move, new_order(move, six), 6) == "Moved page 4 before page 2: it is now page 2; pages 2-3 are now 3-4."
    last = BookOp(kind="remove", pages=[6])
    assert reorder_reply(last, new_order(last, six), 6).startswith("Removed page 6; the book has 5 pages")
    assert new_order(BookOp(kind="swap", pages=[1, 2]), six) == [2, 1, 3, 4, 5, 6]
    assert [span([7, 8]), span([3, 4, 5]), span([2, 5, 6, 7])] == ["7 and 8", "3-5", "2 and 5-7"]


# -- sessions (tiny random-weight model: the book's bookkeeping) -------------------------------

def ids(session: Session) -> dict[int, str]:
    return {page: asset.id for page, asset in session.book().items()}


@pytest.fixture
def four_pages(tmp_path):
    with Session.create(tmp_path / "s", **TINY) as session:
        session.chat(FOX_BOOK)
        yield session


def test_removing_and_moving_pages_renumber_pictures_and_texts_and_undo_restores(four_pages):
    session = four_pages
    before, texts = ids(session), {n: e.text for n, e in session.pages().items()}
    files = set((session.path / "assets").iterdir())
    removed = session.chat("remove page 2")
    assert removed.reply.startswith("Removed page 2; pages 3-4 are now 2-3;") and not removed.assets
    assert ids(session) == {1: before[1], 2: before[3], 3: before[4]}
    assert {n: e.text for n, e in session.pages().items()} == {1: texts[1], 2: texts[3], 3: texts[4]}
    assert set((session.path / "assets").iterdir()) == files  # nothing is deleted from the folder
    session.undo()
    assert ids(session) == before
    moved = session.chat("move page 4 before page 2")
    assert moved.reply == "Moved page 4 before page 2: it is now page 2; pages 2-3 are now 3-4."
    assert ids(session) == {1: before[1], 2: before[4], 3: before[2], 4: before[3]}
    session.chat("swap pages 1 and 2")
    assert ids(session) == {1: before[4], 2: before[1], 3: before[2], 4: before[3]}
    session.undo()
    session.undo()
    assert ids(session) == before


def test_new_pages_are_drawn_on_the_character_cards_and_undo_takes_them_away(four_pages):
    session = four_pages
    before = ids(session)
    turn = session.chat("add two more pages: page 5 the fox at sea, page 6 the fox at home")
    assert turn.reply.startswith("Added pages 5 and 6")
    assert [s.call.tool for s in turn.plan.steps] == ["reference"]
    card = session.pages()[1].asset_id
    assert all(card in a.parents for a in turn.assets) and [a.page for a in turn.assets] == [5, 6]
    assert [session.pages()[n].prompt for n in (5, 6)] == ["the red fox at sea", "the red fox at home"]
    assert {p: i for p, i in ids(session).items() if p <= 4} == before
    session.undo()
    assert ids(session) == before


def test_a_new_book_starts_empty_and_the_old_one_is_reachable_by_branch(four_pages):
    session = four_pages
    old_turn, before = session.history()[-1].id, ids(session)
    turn = session.chat("start a new book")
    assert turn.reply.startswith(f"Started a new book; the old one (4 pages) is kept in history (turn {old_turn}")
    assert session.book() == {}
    frog = session.chat("add a page where a green frog sits")
    assert frog.reply.startswith("Added page 1") and list(ids(session)) == [1]
    assert "fox" not in str(frog.plan.steps[0].call.args) and not frog.assets[0].parents  # the fox's card stayed with the old book
    assert args_of(session.chat("add a page where the frog swims").plan.steps[0].call).reference_ids() == [frog.assets[0].id]
    session.branch(old_turn)
    assert ids(session) == before


def test_a_failed_book_operation_leaves_the_book_as_it_was(four_pages):
    session = four_pages
    before, head = ids(session), session.history()[-1].id
    with pytest.raises(ChatditError, match="next free page is 5"):
        session.chat("page 7: the fox at home")
    assert ids(session) == before and session.history()[-1].id == head


def test_plan_approval_asks_about_new_pages_but_not_about_a_reorder(four_pages):
    session, asked = four_pages, []
    session.configure(plan_approval=True)
    session.chat("remove page 2", approve=lambda plan: asked.append(plan) or plan)
    assert asked == [] and len(session.book()) == 3
    session.chat("add a page where the fox sleeps", approve=lambda plan: asked.append(plan) or plan)
    assert [step.call.tool for plan in asked for step in plan.steps] == ["reference"] and len(session.book()) == 4


# -- the pictures (nano) -----------------------------------------------------------------------

@pytest.mark.slow
def test_added_pages_show_the_books_red_fox_as_often_as_its_first_pages_on_nano(tmp_path):
    from PIL import Image

    from chatdit.storybook.detector import detect_scene

    with Session.create(tmp_path / "nano", model="nano", seed=1) as session:
        session.chat(FOX_BOOK)
        added = session.chat("add two more pages: page 5 the fox at sea, page 6 the fox at home")
        foxes = {page: [o.color for o in detect_scene(Image.open(session.asset_path(asset)).convert("RGB")).find("fox")]
                 for page, asset in session.book().items()}
    assert sorted(foxes) == [1, 2, 3, 4, 5, 6] and added.reply.startswith("Added pages 5 and 6;")
    first = sum(bool(foxes[p]) for p in (1, 2, 3, 4)) / 4
    new = sum("red" in foxes[p] for p in (5, 6)) / 2  # the red fox of the book's card, not nano's orange one
    assert new >= first > 0, foxes
    for asset in added.assets:
        checks = {c.name: c.verdict for c in added.critiques if c.asset_id == asset.id for c in c.checks}
        assert checks.get("fox: present") == "pass", checks


# -- the TUI -----------------------------------------------------------------------------------

@pytest.fixture
def tui_home(tmp_path, monkeypatch):
    for key, value in {"HOME": tmp_path / "home", **{k.upper(): v for k, v in TINY.items()}}.items():
        monkeypatch.setenv(f"CHATDIT_{key}", str(value).lower() if isinstance(value, bool) else str(value))
    return tmp_path / "home"


async def test_the_tui_shows_the_whole_book_after_each_operation(tui_home):
    import time

    from chatdit.tui.app import ChatditApp
    from chatdit.tui.widgets.pages import PageStrip
    from chatdit.tui.widgets.turn import TurnView

    app = ChatditApp()

    async def send(text: str) -> list[str]:
        await pilot.press(*[{" ": "space", "/": "slash", ":": "colon", ",": "comma"}.get(c, c) for c in text], "enter")
        deadline = time.monotonic() + 120
        await pilot.pause()
        while app.current_chat().busy:
            assert time.monotonic() < deadline, "the turn did not finish"
            await pilot.pause(0.05)
        await pilot.pause()
        last = app.current_chat().query(TurnView).last()
        strips = last.query(PageStrip)
        return [f"{p.heading}:{p.path.name}" for p in strips.last().pages] if strips else []

    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        book = await send("a two-page picture book about a red fox")
        assert [h.split(":")[0] for h in book] == ["page 1", "page 2"]
        grown = await send("add a page where the fox sleeps")
        assert grown[:2] == book and grown[2].startswith("page 3:")
        moved = await send("move page 3 before page 1")
        assert moved == [f"page 1:{grown[2].split(':')[1]}", f"page 2:{book[0].split(':')[1]}", f"page 3:{book[1].split(':')[1]}"]
        removed = await send("remove page 1")
        assert removed == [f"page 1:{book[0].split(':')[1]}", f"page 2:{book[1].split(':')[1]}"]
        replies = [str(r.render()) for r in app.current_chat().query(".reply")]
        assert replies[-1].startswith("Removed page 1; pages 2-3 are now 1-2;")
