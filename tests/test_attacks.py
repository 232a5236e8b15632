"""Attack table, part 1: what a hostile or careless person types, configures or scripts.

Each case is bounded in seconds (pytest-timeout) and states its outcome: a ChatditError of a named
kind, or the exact reading. Never a traceback, never a hang, never a silent misreading. Part 2
(tests/test_attacks_stored.py) covers files, stored sessions and LLM replies.
"""

from __future__ import annotations

import re
import time

import pytest

from chatdit.consent import read_consent
from chatdit.errors import ChatditError, ConsentRequiredError, InstructionError, PageReferenceError, ScriptError, SettingsError, UsageError
from chatdit.llm.base import RulesBackend

pytestmark = pytest.mark.timeout(20)

DENIALS = [
    "face swap with consent withheld", "swap my face into this clip, I have consent from nobody",
    "swap my face into this clip, he agreed to nothing", "swap my face into this clip. They agreed? No",
    "swap my face into this clip, consent given: NO", "face swap, I don't have consent",
    "face swap, I do not have their consent", "face swap without consent", "face swap, no consent",
    "face swap, they never agreed", "face swap, she refused", "face swap, he declined to give consent",
    "face swap, consent denied", "face swap, consent was revoked", "face swap, consent withdrawn",
    "face swap, nobody agreed", "face swap, no one gave permission", "face swap. Did they agree?",
    "face swap, consent: false", "face swap, consent=no", "face swap, they didn't agree",
    "face swap, she hasn't consented", "face swap, he won't agree", "face swap, they agreed to nothing of the sort",
    "face swap, permission rejected", "face swap, I lack their consent", "face swap, consent is missing",
    "face swap, they said no", "face swap, neither of them agreed", "face swap; consent: none",
    "face swap, I cannot get consent", "face swap, he objected", "face swap, I do NOT have consent",
    "face swap \u2014 consent WITHHELD", "face swap, I have consent. Just kidding, I don't",
    "face swap, I have consent? not sure", "face swap, they agreed. No", "face swap, consent: nope",
    "face swap, he has not agreed", "face swap, I have their consent\u2026 not", "face swap, I never asked for consent",
    "face swap, consent refused", "face swap, she disagreed", "face swap, I have consent from no-one",
]
AFFIRMATIONS = [
    "swap my face into this clip, I have consent", "face swap, I have their consent",
    "face swap, I have his explicit consent", "face swap with their consent", "face swap, consent given",
    "face swap, consent granted", "face swap, I consent", "swap my face into this clip, it's my own face",
    "swap my face into this clip, this is me", "face swap, they agreed", "face swap, she consented",
    "face swap, he gave his consent", "face swap, consent: yes", "face swap, I have written permission",
    "face swap, my friend agreed", "swap my face into this clip \u2014 this is my face",
]
UNCLEAR = [
    "swap my face into this clip", "face swap, I think they agreed", "face swap, they will probably agree",
    "face swap, maybe consent", "face swap if that's ok", "face swap, consent pending", "face swap, hopefully they agree",
    "face swap, I should have consent", "swap my face into this clip, I have consent, no blur please",
    "face swap, I guess she agreed", "face swap, consent once they reply",
]


@pytest.fixture(scope="module")
def attachments(tmp_path_factory):
    from PIL import Image

    folder = tmp_path_factory.mktemp("attach")
    Image.new("RGB", (32, 32), (200, 150, 120)).save(folder / "face.png")
    (folder / "clip.mp4").write_bytes(b"\0" * 64)  # the parser only needs the file; probing is tested in part 2
    return [str(folder / "face.png"), str(folder / "clip.mp4")]


def parse(text, paths=(), history=False):
    from chatdit.agents.parser import ParseContext, parse_message

    return parse_message(text, list(paths), ParseContext(pages=[1, 2] if history else []), RulesBackend())


@pytest.mark.parametrize("text", DENIALS)
def test_every_denial_refuses_the_face_swap(text, attachments):
    assert read_consent(text).verdict == "deny"
    with pytest.raises(ConsentRequiredError, match="consent was not given"):
        parse(text, attachments)


@pytest.mark.parametrize("text", AFFIRMATIONS)
def test_an_unambiguous_affirmative_is_consent_with_its_words_recorded(text, attachments):
    instruction = parse(text, attachments)
    assert instruction.task == "faceswap" and instruction.consent is True
    assert instruction.consent_note.startswith("stated by the sender in the message:")


@pytest.mark.parametrize("text", UNCLEAR)
def test_anything_unclear_is_not_consent_and_will_be_asked(text, attachments):
    instruction = parse(text, attachments)
    assert instruction.task == "faceswap" and instruction.consent is False and instruction.consent_note is None


def test_the_words_that_gave_consent_reach_the_face_swap_call(attachments):
    from chatdit.agents.planner import InputAsset

    from chatdit import plan

    instruction = parse("swap my face into this clip, I have consent", attachments)
    made = plan(instruction, inputs=[InputAsset(asset_id="f" * 16, role="face"), InputAsset(asset_id="a" * 16, role="source_video")])
    assert made.steps[0].call.args["faces"][0] == {"image": "f" * 16, "consent": True,
                                                   "consent_by": "stated by the sender in the message: 'i have consent'"}


NUMBERS = [  # (message, has history, error kind or None, what it must read as)
    ("page -1: make it blue", True, PageReferenceError, None), ("page 1e9: make it blue", True, PageReferenceError, None),
    ("page 0: make it blue", True, PageReferenceError, None), ("page 1.5: add a sun", True, PageReferenceError, None),
    ("page +2: add a sun", True, PageReferenceError, None), ("page 2x: add a sun", True, PageReferenceError, None),
    ("redo page 0", True, PageReferenceError, None), ("add a sun on page 0", True, PageReferenceError, None),
    ("pages 2 and 0: add a sun", True, PageReferenceError, None), ("page zero: add a sun", True, PageReferenceError, None),
    ("page 9999999999: add a sun", True, PageReferenceError, None),  # names the next free page
    ("a -3-page book about a fox", False, InstructionError, None), ("a 1e6-page book about a fox", False, InstructionError, None),
    ("a million-page book about a fox", False, InstructionError, None), ("a 0-page book about a fox", False, InstructionError, None),
    ("a 2.5-page book about a fox", False, InstructionError, None), ("a thousand-page book about a fox", False, InstructionError, None),
    ("a 201-page book about a fox", False, InstructionError, None), ("a billion page book about a fox", False, InstructionError, None),
    ("a -1 page book about a fox", False, InstructionError, None), ("1e3 pictures of a fox", False, InstructionError, None),
    ("10000 pictures of a fox", False, InstructionError, None), ("0 pictures of a fox", False, InstructionError, None),
    ("a storyboard of 500 shots of a chase", False, InstructionError, None),
    ("10000 red foxes", False, InstructionError, None), ("150 red foxes in the snow", False, InstructionError, None),
    ("a million foxes", False, InstructionError, None), ("a thousand blue birds", False, InstructionError, None),
    ("a fox, 100000x100000", False, InstructionError, None), ("a fox at 0x0", False, InstructionError, None),
    ("a fox, 5000x5000", False, InstructionError, None), ("a fox 8x8 px", False, InstructionError, None),
    ("a fox, 512x0", False, InstructionError, None), ("a fox 15x512", False, InstructionError, None),
    ("a fox, 12345678901x2", False, InstructionError, None),
    ("page 2: add a sun", True, None, "targets=[2]"), ("pages 1 and 2: add a sun", True, None, "targets=[1, 2]"),
    ("page two: add a sun", True, None, "targets=[2]"), ("a 3-page book about a fox", False, None, "count=3"),
    ("a six-page picture book about a fox", False, None, "count=6"), ("a 200-page book about a fox", False, None, "count=200"),
    ("100 red foxes", False, None, "fox=100"), ("two foxes in 2024", False, None, "fox=2"),
    ("a photo from 1985 of a fox", False, None, "fox=1"), ("a fox 512x512", False, None, "size=512x512"),
    ("a fox, 16x4096", False, None, "size=16x4096"), ("a 3x3 grid of foxes", False, None, "size=None"),
]


def reading(instruction) -> str:
    return {"targets": f"targets={[t.page for t in instruction.targets]}", "count": f"count={instruction.output_count}",
            "fox": f"fox={next((s.count for s in instruction.subjects if s.name == 'fox'), None)}",
            "size": f"size={instruction.width}x{instruction.height}" if instruction.width else "size=None"}


@pytest.mark.parametrize(("text", "history", "error", "expected"), NUMBERS, ids=[c[0][:40] for c in NUMBERS])
def test_numbers_are_read_as_meant_or_refused_with_the_limit(text, history, error, expected):
    if error is not None:
        with pytest.raises(error):
            parse(text, history=history)
        return
    assert expected in reading(parse(text, history=history)).values()


def test_more_than_the_page_limit_of_listed_pages_is_an_instruction_error():
    with pytest.raises(InstructionError, match="at most 200"):
        parse("".join(f"page {i}: a fox\n" for i in range(1, 260)))


def test_swap_my_face_with_nothing_attached_is_an_error_not_an_edit_of_page_1():
    from chatdit import plan

    instruction = parse("swap my face into this clip", history=True)
    assert instruction.task == "faceswap" and not instruction.targets
    with pytest.raises(InstructionError, match="attach the video"):
        plan(instruction)


MEGABYTE = 1_000_000
BIG_TEXTS = {
    "letters": "a" * MEGABYTE, "hyphen-words": "a-" * (MEGABYTE // 2), "words": "a red fox " * (MEGABYTE // 10),
    "digits": "1" * MEGABYTE, "style": "in the style of " * (MEGABYTE // 16), "page-lines": "page 1: a fox\n" * (MEGABYTE // 14),
    "braces": "{" * MEGABYTE, "spaces": " " * MEGABYTE + "a fox", "commas": "a fox, " * (MEGABYTE // 7),
    "numbers": "1 " * (MEGABYTE // 2), "unicode": "\u00e9\u4e2d" * (MEGABYTE // 2), "newlines": "\n" * MEGABYTE + "x",
}
BAD_TEXT = {"lone surrogate": "a red \udcff fox", "high surrogate": "a fox \ud800", "NUL": "a fox\x00",
            "int": 5, "None": None, "bytes": b"a fox", "list": ["a fox"], "just over the limit": "a" * 20_001}


@pytest.mark.parametrize("name", list(BIG_TEXTS))
def test_a_megabyte_message_is_refused_at_once_on_the_whole_parse_path(name):
    from chatdit import parse as api_parse

    started = time.perf_counter()
    with pytest.raises(InstructionError, match="at most 20,000"):
        api_parse(BIG_TEXTS[name])
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("name", list(BIG_TEXTS))
def test_every_pattern_of_the_rules_parser_runs_in_linear_time_on_a_megabyte(name):
    """Each module-level pattern (and the styles, once quadratic) over 1 MB of adversarial text."""
    from chatdit.llm import counts, rules

    patterns = [v for m in (rules, counts) for v in vars(m).values() if isinstance(v, re.Pattern)]
    patterns += [re.compile(p, re.IGNORECASE) for p in rules.STYLE_PATTERNS]
    started = time.perf_counter()
    for pattern in patterns:
        pattern.search(BIG_TEXTS[name])
    assert time.perf_counter() - started < 15


@pytest.mark.parametrize("name", list(BIG_TEXTS))
def test_a_message_at_the_limit_parses_in_seconds(name):
    started = time.perf_counter()
    try:
        parse(BIG_TEXTS[name][:20_000])
    except ChatditError:
        pass
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("name", list(BAD_TEXT))
def test_text_that_is_not_storable_unicode_is_an_instruction_error(name):
    from chatdit.inputs import check_message

    with pytest.raises(InstructionError):
        check_message(BAD_TEXT[name])


CONFIGS = [  # config.toml content -> SettingsError (None: valid)
    ('model = "nano\n', SettingsError), (b"\xff\xfe\x00m", SettingsError), ("model = \n", SettingsError),
    ("[[[", SettingsError), ("model = 'a'\nmodel = 'b'\n", SettingsError), ("bogus = 1\n", SettingsError),
    ('device = "bogus"\n', SettingsError), ('device = "cuda:x"\n', SettingsError), ("llm_timeout = inf\n", SettingsError),
    ("llm_timeout = nan\n", SettingsError), ("llm_timeout = -1\n", SettingsError), ("llm_timeout = 0\n", SettingsError),
    ("llm_timeout = 1e9\n", SettingsError), ("rounds = 0\n", SettingsError), ("rounds = 1000\n", SettingsError),
    ("steps = -1\n", SettingsError), ("width = 1000000000\n", SettingsError), ('llm = "bogus"\n', SettingsError),
    ("critic_threshold = 2\n", SettingsError), ('rounds = "three"\n', SettingsError), ("seed = 1.5\n", SettingsError),
    ("model = [1, 2]\n", SettingsError), ("time_budget = -5\n", SettingsError), ('watermark = "none"\n', SettingsError),
    ('device = "cuda:0"\nrounds = 2\n', None), ('model = "tiny"\nllm_timeout = 30\n', None), ("", None),
]


@pytest.mark.parametrize(("content", "error"), CONFIGS, ids=[repr(c[0])[:30] for c in CONFIGS])
def test_a_config_file_is_read_or_refused_in_one_line(content, error, tmp_path, monkeypatch):
    from chatdit.config import load_settings

    monkeypatch.setenv("CHATDIT_HOME", str(tmp_path))
    (tmp_path / "config.toml").write_bytes(content if isinstance(content, bytes) else content.encode())
    if error is None:
        load_settings()
        return
    with pytest.raises(error) as caught:
        load_settings()
    assert "\n" not in str(caught.value)


ENV = [("CHATDIT_ROUNDS", "abc"), ("CHATDIT_DEVICE", "bogus"), ("CHATDIT_LLM_TIMEOUT", "inf"), ("CHATDIT_CRITIC", "maybe"),
       ("CHATDIT_STEPS", "0"), ("CHATDIT_LLM", "gpt"), ("CHATDIT_SEED", "1e400")]


@pytest.mark.parametrize(("name", "value"), ENV)
def test_a_bad_environment_variable_is_a_settings_error(name, value, tmp_path, monkeypatch):
    from chatdit.config import load_settings

    monkeypatch.setenv("CHATDIT_HOME", str(tmp_path))
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError):
        load_settings()


def test_a_config_path_that_is_a_folder_is_a_settings_error(tmp_path, monkeypatch):
    from chatdit.config import load_settings

    monkeypatch.setenv("CHATDIT_HOME", str(tmp_path))
    (tmp_path / "config.toml").mkdir()
    with pytest.raises(SettingsError):
        load_settings()


OVERRIDES = [  # --set values: UsageError, or what they are read as
    ("model=!!python/object/apply:os.system [ls]", UsageError), ("model=!!binary aGVsbG8=", UsageError),
    ("seed=&a 1", UsageError), ("seed=*a", UsageError), ("model=[1, 2]", UsageError), ("model={a: 1}", UsageError),
    ("model=- a", UsageError), ("noequals", UsageError), ("=value", UsageError), (" =value", UsageError),
    ("model=2024-01-01", UsageError), ("seed=3", {"seed": 3}), ("critic=false", {"critic": False}),
    ("critic_threshold=0.5", {"critic_threshold": 0.5}), ("model=tiny", {"model": "tiny"}), ("model=", {"model": ""}),
    ("llm_url=http://u:p@h/v1", {"llm_url": "http://u:p@h/v1"}), ("model=a: b: c", {"model": "a: b: c"}),
    ("steps=null", {"steps": None}), ("model=[unclosed", {"model": "[unclosed"}),
]


@pytest.mark.parametrize(("pair", "expected"), OVERRIDES, ids=[c[0][:30] for c in OVERRIDES])
def test_set_values_are_plain_values_or_a_usage_error(pair, expected):
    from chatdit.cli import parse_overrides

    if isinstance(expected, dict):
        assert parse_overrides([pair]) == expected
        return
    with pytest.raises(expected):
        parse_overrides([pair])


def billion_laughs() -> str:
    text, previous = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n', "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    return text + "messages: *i\n"


SCRIPTS = [  # script file content -> ScriptError (every one)
    b"\xff\xfe\x00\x01binary", b"\x89PNG\r\n\x1a\n\x00\x00", "[" * 5000, "{a: " * 5000, "- " * 5000 + "x",
    billion_laughs(), "messages: !!python/object/apply:os.system [ls]", "messages: [!!python/name:os.system ]",
    "messages:\n  - text: ''\n    bogus: 1\n", "messages: 5", "messages: [[1, 2]]", "just a string", "- a\n- list",
    "42", "messages:\n  - {undo: true, text: hi}\n", "messages:\n  - {}\n", "settings: 5\nmessages: []",
    "messages: [a\n", "messages:\n\t- tab", "unknown: 1\nmessages: []", "messages:\n  - text: [1]\n",
    "messages:\n  - images: [a.png]\n", "messages: &x [*x]", "%YAML 9.9\n---\nmessages: []", "---\na: 1\n---\nb: 2\n",
    "", "messages:\n  - branch: 5\n", "messages: ~\n", "messages:\n  - export: [x]\n",
]


@pytest.mark.parametrize("content", SCRIPTS, ids=[repr(c)[:30] for c in SCRIPTS])
def test_a_bad_script_is_one_script_error(content, tmp_path):
    from chatdit.script import load_script

    path = tmp_path / "script.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ScriptError) as caught:
        load_script(path)
    assert "\n" not in str(caught.value)


def test_a_script_over_a_megabyte_is_refused_before_it_is_read(tmp_path):
    from chatdit.script import load_script

    path = tmp_path / "big.yaml"
    path.write_text("messages:\n" + "  - a red fox\n" * 100_000)
    with pytest.raises(ScriptError, match="larger than"):
        load_script(path)


@pytest.mark.parametrize("name", ["../outside.png", "../../etc/passwd", "sub/../../x.png", "link/x.png"])
def test_a_script_cannot_reach_outside_its_folder_with_a_relative_path(name, tmp_path):
    from chatdit.script import inside_script_folder

    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "link").symlink_to(tmp_path)
    with pytest.raises(ScriptError, match="outside the script's folder"):
        inside_script_folder(tmp_path / "scripts" / "s.yaml", name)


def test_a_script_may_name_files_beside_it_or_by_absolute_path(tmp_path):
    from chatdit.script import inside_script_folder

    script = tmp_path / "s.yaml"
    assert inside_script_folder(script, "pics/a.png") == (tmp_path / "pics" / "a.png").resolve()
    assert inside_script_folder(script, "/data/a.png") == __import__("pathlib").Path("/data/a.png")
