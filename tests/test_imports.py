"""The import graph runs one way: no module imports itself back through others, the storybook
world imports nothing above it (the shared words of chatdit.lexicon excepted), dit/ imports no critic, agent or tool, and the runtime imports no
training code. Read with grimp, lazy imports inside functions included."""

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

KNOWN_CYCLES: set[tuple[str, str]] = set()
"""Cycles tolerated for now (none: the planner table and the LLM backend choice no longer loop)."""

_GRAPH = """
import json, grimp
g = grimp.build_graph("chatdit", cache_dir=None, exclude_type_checking_imports=True)
print(json.dumps({m: sorted(g.find_modules_directly_imported_by(m)) for m in g.modules}))
"""


@pytest.fixture(scope="module")
def imports(tmp_path_factory) -> dict[str, set[str]]:
    """module -> the chatdit modules it imports. chatdit.agents, .tools and .prompts live in
    top-level folders (pyproject's package-dir), so the package is assembled as it installs."""
    pytest.importorskip("grimp")
    tree = tmp_path_factory.mktemp("tree")
    skip = shutil.ignore_patterns("__pycache__", "weights", "models", "*.png", "*.md")
    shutil.copytree(ROOT / "chatdit", tree / "chatdit", ignore=skip)
    package_dirs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    for name, folder in package_dirs.items():
        shutil.copytree(ROOT / folder, tree.joinpath(*name.split(".")), ignore=skip)
    out = subprocess.run([sys.executable, "-c", _GRAPH], cwd=tree, capture_output=True, text=True, check=True).stdout
    return {module: set(imported) for module, imported in json.loads(out).items()}


def _reaches(imports: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        module = todo.pop()
        if module == goal:
            return True
        if module not in seen:
            seen.add(module)
            todo += imports.get(module, ())
    return False


def test_the_graph_holds_the_modules_of_every_package_folder(imports):
    assert {"chatdit.session", "chatdit.agents.planner", "chatdit.tools.registry", "chatdit.storybook.detector",
            "chatdit.nano_training.cli"} <= set(imports)


def test_no_module_imports_itself_back_through_others(imports):
    cycles = {tuple(sorted((a, b))) for a, targets in imports.items() for b in targets if _reaches(imports, b, a)}
    assert cycles - KNOWN_CYCLES == set(), "new import cycles"
    assert KNOWN_CYCLES - cycles == set(), "these cycles are gone: delete them from KNOWN_CYCLES"


def test_the_storybook_world_imports_nothing_above_it(imports):
    upward = {(a, b) for a, targets in imports.items() if a.startswith("chatdit.storybook")
              for b in targets if not b.startswith(("chatdit.storybook", "chatdit.lexicon"))}
    assert upward == set()


def test_the_shared_words_import_nothing_of_chatdit(imports):
    assert imports["chatdit.lexicon"] == set()
    assert "chatdit.lexicon" in imports["chatdit.llm.vocab"] and "chatdit.lexicon" in imports["chatdit.critics.base"]


def test_dit_imports_no_critic_vision_agent_tool_or_session(imports):
    above = ("chatdit.critics", "chatdit.vision", "chatdit.agents", "chatdit.tools", "chatdit.tui", "chatdit.session",
             "chatdit.graph", "chatdit.nodes", "chatdit.nano_training")
    upward = {(a, b) for a, targets in imports.items() if a.startswith("chatdit.dit")
              for b in targets if b.startswith(above)}
    assert upward == set()


def test_only_the_train_nano_command_imports_the_training_code(imports):
    importers = {a for a, targets in imports.items() if not a.startswith("chatdit.nano_training")
                 for b in targets if b.startswith("chatdit.nano_training")}
    assert importers == {"chatdit.cli"}
