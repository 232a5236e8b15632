"""Photo heroes in the chat UI: `/attach PATH as NAME` makes a photo card, `/cards` lists them,
and a book that names the heroes is drawn beside their photos."""

import pytest
from chatdit.tools.registry import args_of
from test_heroes import hero_picture
from test_tui import chat, home, notes, running, send, settle  # noqa: F401 - home is an autouse fixture

from chatdit.tui.app import ChatditApp


@pytest.mark.slow
async def test_attach_as_makes_photo_cards_that_a_book_is_drawn_beside(tmp_path):
    rex, mia = tmp_path / "rex.png", tmp_path / "mia.png"
    hero_picture("fox", "purple").save(rex)
    hero_picture("star", "yellow", "night", seed=2).save(mia)
    app = ChatditApp()
    async with running(app) as pilot:
        await send(pilot, f"/attach {rex} as Rex")
        await send(pilot, f"/attach {mia} as Mia: a yellow star with a smile")
        cards = chat(app).session.cards()
        assert cards["Rex"].description == "a purple fox" and cards["Mia"].description == "a yellow star with a smile"
        await send(pilot, "/cards")
        assert any("Rex: a purple fox (photo)" in n for n in notes(app))
        await send(pilot, "a two-page picture book about Rex and Mia: page 1 Rex at the beach, page 2 Mia at night")
        await settle(pilot, lambda: not chat(app).busy, timeout=400)  # the first turn loads the model
        assert not [n for n in notes(app) if "error" in n.lower()], notes(app)
        turn = chat(app).session.history()[-1]
        assert [args_of(s.call).reference_ids() for s in turn.plan.steps] == [[cards["Rex"].photo], [cards["Mia"].photo]]
        assert sorted(a.page for a in turn.assets) == [1, 2]
        await send(pilot, "/attach nowhere.png as Rex")
        assert any("needs a picture and a name" in n for n in notes(app))
