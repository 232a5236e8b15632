"""The package installs as one namespace from several top-level folders, and imports light."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_import_chatdit_loads_no_torch_diffusers_or_textual():
    code = "import sys, chatdit; print(sorted(m for m in ('torch', 'diffusers', 'textual', 'transformers', 'langgraph') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_editable_install_maps_agents_tools_and_prompts_into_chatdit():
    import chatdit.agents.planner
    import chatdit.prompts
    import chatdit.tools.registry

    assert Path(chatdit.agents.planner.__file__).parent == REPO / "agents"
    assert Path(chatdit.tools.registry.__file__).parent == REPO / "tools"
    assert Path(chatdit.prompts.__file__).parent == REPO / "prompts"


@pytest.mark.slow
def test_wheel_contains_the_namespace_and_imports_from_it(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path)],
                   check=True, capture_output=True)
    wheel = next(tmp_path.glob("chatdit-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ("chatdit/agents/planner.py", "chatdit/tools/registry.py", "chatdit/prompts/__init__.py", "chatdit/session.py",
                     "chatdit/prompts/story.md", "chatdit/book/fonts/DejaVuSerif.ttf", "chatdit/book/fonts/LICENSE"):
        assert expected in names
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import chatdit.agents.planner as p, chatdit.tools.registry as r; "
            "print(p.__file__.startswith(sys.argv[1]) and r.__file__.startswith(sys.argv[1]))")
    out = subprocess.run([sys.executable, "-c", code, str(unpacked)], capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    assert out.strip() == "True"
