"""The README is a map: every repository path it names exists, and its code map names the
modules a newcomer follows a message through."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
FOLDERS = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and p.name not in (".git", ".venv"))


def named_paths(text: str) -> set[str]:
    """Every path the text names under one of the repository's top-level folders ('chatdit/...',
    'bench/x.py', './run.sh'); placeholders ('<session>/...') and globs are left out."""
    roots = "|".join(re.escape(name) for name in FOLDERS)
    found = re.findall(rf"(?<![\w/.<>-])(?:\./)?((?:{roots})/[\w./-]*)", text)
    found += re.findall(r"(?<![\w/.-])\./([\w.-]+\.sh)\b", text)
    return {path.rstrip(".") for path in found if "<" not in path and "*" not in path}


def test_every_path_the_readme_names_exists():
    missing = sorted(path for path in named_paths(README) if not (ROOT / path).exists())
    assert missing == []


def test_the_check_catches_a_path_that_is_not_there():
    assert named_paths("see `chatdit/tools/registry.py` and ./run.sh, not <session>/assets/x.png") == {
        "chatdit/tools/registry.py", "run.sh"}
    assert not (ROOT / "chatdit/tools/registry.py").exists()


def test_the_code_map_follows_a_message_from_session_to_critics():
    code_map = README[README.index("## Code map"):README.index("## The loop")]
    walk = code_map[code_map.index("```text"):code_map.index("```", code_map.index("```text") + 3)]
    stages = ["chatdit/session.py", "chatdit/graph.py", "agents/parser.py", "chatdit/schema.py", "agents/planner.py",
              "tools/", "chatdit/store.py", "chatdit/critics/"]
    assert [walk.find(stage) for stage in stages] == sorted(walk.find(stage) for stage in stages)
    assert -1 not in [walk.find(stage) for stage in stages]
    assert [folder for folder in ("chatdit/lexicon.py", "chatdit/storybook/", "chatdit/dit/", "chatdit/llm/", "chatdit/tui/")
            if folder not in code_map] == []
