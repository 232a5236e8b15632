"""A book made in a session and taken away: texts a person wrote in three scripts, a page left to
chatdit that follows an edit, the story's title, texts changed from chat and the API, an LLM
writer on a real HTTP server."""

import json
import re
import unicodedata

import pytest
from openai_server import ChatCompletionsServer
from pypdf import PdfReader

from chatdit import Session
from chatdit.errors import PageReferenceError
from chatdit.events import Notice

FAST = {"model": "tiny", "width": 64, "height": 64, "steps": 2, "critic": False, "rounds": 1}
REQUEST = ("make a four-page picture book about a little orange fox\n"
           "page 1: the fox at sunset # Der kleine Fuchs schaut in die Abendsonne – und träumt von großen Reisen.\n"
           "page 2: the fox under a moon at night\n"
           "page 3: the fox by the sea with two boats # Лисёнок сидит у моря и смотрит на две лодки.\n"
           "page 4: the fox in the snow with a green tree # Η μικρή αλεπού βρίσκει ένα πράσινο δέντρο στο χιόνι.")
WRITTEN = {1: "Der kleine Fuchs schaut in die Abendsonne – und träumt von großen Reisen.",
           3: "Лисёнок сидит у моря и смотрит на две лодки.",
           4: "Η μικρή αλεπού βρίσκει ένα πράσινο δέντρο στο χιόνι."}


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def make_and_export(session: Session) -> tuple[list[str], PdfReader, dict]:
    session.chat(REQUEST)
    first = session.pages()
    session.chat("page 2: make the fox blue")
    path = session.export("book.pdf")
    reader = PdfReader(path)
    return [flat(page.extract_text()) for page in reader.pages], reader, first


def check_the_book(texts: list[str], reader: PdfReader, first: dict, session: Session) -> None:
    pages = session.pages()
    for number, text in WRITTEN.items():
        assert flat(text) in texts[number], f"page {number}"  # cover first, so PDF page n is book page n
        assert pages[number].text == text and pages[number].text_source == "person"
    assert pages[2].text_source == "chatdit" and "blue fox" in pages[2].text and "blue fox" in texts[2]
    assert "blue" not in first[2].text and first[2].text_source == "chatdit"
    assert session.title == "The Little Orange Fox" == reader.metadata.title
    assert texts[0].startswith("The Little Orange Fox") and "make a four-page" not in " ".join(texts)


@pytest.mark.slow
def test_four_page_book_on_nano_prints_every_script_and_the_edited_page_calls_the_fox_blue(tmp_path):
    with Session.create(tmp_path / "s", model="nano", critic=False, rounds=1) as session:
        texts, reader, first = make_and_export(session)
        check_the_book(texts, reader, first, session)
        assert session.book()[2].model == "nano" and session.book()[2].tool == "edit"


def test_four_page_book_with_a_persons_texts_and_an_edit_exported_and_read_back(tmp_path):
    with Session.create(tmp_path / "s", **FAST) as session:
        texts, reader, first = make_and_export(session)
        check_the_book(texts, reader, first, session)
        assert (session.path / "exports" / "book.pdf").stat().st_mode & 0o044  # others can read it


def test_texts_and_title_change_from_chat_and_the_api_and_undo_brings_them_back(tmp_path):
    with Session.create(tmp_path / "s", **FAST) as session:
        session.chat("make a two-page picture book about a red fox")
        written = session.pages()[2].text
        turn = session.chat("page 2 text: Лиса спит.")
        assert turn.status == "done" and not turn.assets and session.pages()[2].text == "Лиса спит."
        session.set_page_text(1, "  Der Fuchs.  ")
        assert session.pages()[1].text == "Der Fuchs." and session.pages()[1].text_source == "person"
        session.undo()
        session.undo()
        assert session.pages()[2].text == written
        with pytest.raises(PageReferenceError, match="no page 7"):
            session.set_page_text(7, "x")
        session.configure(title="Fuchs und Vogel", seed=3)
        session.chat("make a two-page picture book about a blue bird")
        assert session.title == "Fuchs und Vogel" and session.settings.seed == 3
        assert PdfReader(session.export("b.pdf")).metadata.title == "Fuchs und Vogel"
    with Session.open(tmp_path / "s") as reopened:
        assert reopened.title == "Fuchs und Vogel" and reopened.record.title_by_person


def test_export_options_come_from_settings_and_the_call(tmp_path):
    with Session.create(tmp_path / "s", **FAST, book_page_size="square", book_author="Anna") as session:
        session.chat("make a two-page picture book about a red fox")
        reader = PdfReader(session.export("b.pdf", layout="facing", bleed=True))
        assert len(reader.pages) == 1 + 2 * 2 + 1 and float(reader.pages[0].mediabox[2]) == 630
        assert reader.metadata.author == "Anna"
        with pytest.raises(Exception, match="unknown export option"):
            session.export("b.pdf", colour="red")


def story_server(texts_ok: bool = True) -> ChatCompletionsServer:
    """An OpenAI-compatible server: the parser's Instruction from the offline rules (so the
    request is understood as usual), the story from 'the model'."""
    from chatdit.llm.rules import parse_rules

    def reply(body):
        schema = body["response_format"]["json_schema"]["name"]
        user = body["messages"][1]["content"]
        if schema == "Instruction":
            return parse_rules(user, has_history="earlier outputs: yes" in body["messages"][0]["content"]).model_dump(mode="json")
        if not texts_ok:
            return "I would rather not."
        asked = json.loads(user)
        shows = {p["number"]: p["shows"] for p in asked["pages"]}
        return {"title": "Foxes at Night", "pages": [{"number": n, "text": f"Model text for {shows[n]}."} for n in asked["write"]]}

    return ChatCompletionsServer(reply)


def test_the_llm_backend_writes_the_texts_and_the_title_and_a_failing_one_falls_back(tmp_path):
    server = story_server()
    try:
        with Session.create(tmp_path / "s", **FAST, llm="openai", llm_url=server.url, llm_model="m") as session:
            session.chat("make a two-page picture book about a red fox\npage 1: the fox # Mine.\npage 2: the fox at night")
            pages = session.pages()
            assert pages[1].text == "Mine." and pages[2].text.startswith("Model text for the red fox")
            assert session.title == "Foxes at Night"
            story_asks = [r for r in server.requests if r["body"]["response_format"]["json_schema"]["name"] == "StoryText"]
            assert len(story_asks) == 1 and json.loads(story_asks[0]["body"]["messages"][1]["content"])["write"] == [2]
    finally:
        server.close()
    server = story_server(texts_ok=False)
    try:
        notices = []
        with Session.create(tmp_path / "t", **FAST, llm="openai", llm_url=server.url, llm_model="m") as session:
            session.chat("make a two-page picture book about a red fox", on_event=lambda e: isinstance(e, Notice) and notices.append(e))
            assert all(entry.text and entry.text_source == "chatdit" for entry in session.pages().values())
            assert session.title == "The Red Fox"
        assert any("written offline" in n.message for n in notices)
    finally:
        server.close()


def test_only_the_books_real_last_page_ends_the_story_and_a_persons_text_is_kept(tmp_path):
    with Session.create(tmp_path / "s", **FAST) as session:
        session.chat("a 3-page picture book about a red fox: page 1 the fox at sunset, page 2 the fox at night, "
                     "page 3 the fox in the snow")
        assert session.pages()[3].text.endswith("The end.") and session.pages()[3].text_source == "chatdit"
        session.chat("add two more pages: page 4 the fox at sea, page 5 the fox at home")
        pages = session.pages()
        assert "The end." not in pages[3].text and pages[3].text_source == "chatdit"
        assert pages[5].text.endswith("The end.") and [n for n, e in pages.items() if "The end." in e.text] == [5]
        texts = [flat(page.extract_text()) for page in PdfReader(session.export("book.pdf")).pages]
        assert [n for n in range(1, 6) if "The end." in texts[n]] == [5]  # cover first: PDF page n is book page n
        session.chat("remove page 5")
        assert session.pages()[4].text.endswith("The end.")
        session.chat("page 4 text: The fox swam home. The end.")
        session.chat("add a page where the fox sleeps")
        assert session.pages()[4].text == "The fox swam home. The end." and session.pages()[4].text_source == "person"
        assert session.pages()[5].text.endswith("The end.")
        session.undo()
        assert max(session.pages()) == 4 and session.pages()[4].text == "The fox swam home. The end."
