"""What a batch is made of: one job per script, its session folder, and the result it leaves.

A job's folder is `<sessions>/<script name>`; the result file a finished job writes there is how
`--resume` knows not to run it again, and the cursor file how a cut-off one knows where to go on.
Both live in the session folder, on the storage every worker sees.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from chatdit.errors import ChatditError
from chatdit.files import write_atomic
from chatdit.script import Script, load_script
from chatdit.store import SessionStore

RESULT_FILE = "batch-result.json"
CURSOR_FILE = "batch-cursor.json"


class BatchError(ChatditError):
    """A batch cannot start: scripts that clash, a sessions folder already used, Ray unreachable."""


class BatchJob(BaseModel):
    """One scripted session to run start to finish on one worker."""

    name: str = Field(description="the session folder's name: the script's file name without .yaml")
    script_path: Path
    script: Script
    folder: Path
    overrides: dict[str, Any] = Field(default_factory=dict)

    @property
    def settings(self) -> dict[str, Any]:
        return {**self.script.settings, **self.overrides}


class Result(BaseModel):
    """What one session of a batch came to: the summary table's row."""

    name: str
    script: Path
    session: Path
    status: Literal["done", "failed", "cut off"]
    pages: int = 0
    verdicts: dict[str, int] = Field(default_factory=dict, description="critic verdict -> pages of the book")
    seconds: float = 0.0
    load_seconds: float = Field(default=0.0, description="model loading inside this job (0 when the worker had them)")
    pdf: Path | None = None
    exports: list[Path] = Field(default_factory=list)
    error: str | None = None
    worker: str = ""
    resumed: bool = Field(default=False, description="a cut-off turn was finished from its checkpoint")
    earlier: bool = Field(default=False, description="finished by an earlier run; not run again")
    round_trip_seconds: float | None = Field(default=None, description="submit to result, as the driver saw it")


class Cursor(BaseModel):
    """Written before each script entry runs: which entry, and the session as it was then."""

    entry: int
    turns: int
    head: str | None
    worker: str = Field(default="", description="host:pid of the worker that wrote it")


def plan_jobs(scripts: list[Path], sessions: Path, overrides: dict[str, Any] | None = None) -> list[BatchJob]:
    """Validate every script up front and give each its own folder, so nothing starts half-checked."""
    if not scripts:
        raise BatchError("no scripts given; pass one or more YAML files (the format of `chatdit run`)")
    paths = [Path(s).expanduser().resolve() for s in scripts]
    names = Counter(job_name(p) for p in paths)
    clashes = sorted(n for n, count in names.items() if count > 1)
    if clashes:
        raise BatchError(f"two scripts would share the session folder {clashes[0]!r} under {sessions}; "
                         "rename one of them (each session folder is named after its script)")
    root = Path(sessions).expanduser().resolve()
    return [BatchJob(name=job_name(p), script_path=p, script=load_script(p), folder=root / job_name(p),
                     overrides=dict(overrides or {})) for p in paths]


def job_name(path: Path) -> str:
    return path.name.removesuffix(".yaml").removesuffix(".yml") or path.name


def earlier_result(folder: Path) -> Result | None:
    """The result a finished run left in the folder, if it finished."""
    path = folder / RESULT_FILE
    if not path.is_file():
        return None
    result = Result.model_validate_json(path.read_bytes())
    return result if result.status == "done" else None


def check_fresh(jobs: list[BatchJob], resume: bool) -> list[BatchJob]:
    """Without --resume, refuse folders that already hold a session (nothing is overwritten)."""
    if resume:
        return jobs
    used = [job.folder for job in jobs if SessionStore(job.folder).exists()]
    if used:
        raise BatchError(f"{used[0]} already holds a session; pass --resume to finish that batch, "
                         "or choose another --sessions folder")
    return jobs


def save_result(result: Result) -> None:
    write_atomic(result.session / RESULT_FILE, result.model_dump_json(indent=2).encode())


def read_cursor(folder: Path) -> Cursor | None:
    path = folder / CURSOR_FILE
    return Cursor.model_validate_json(path.read_bytes()) if path.is_file() else None


def save_cursor(folder: Path, cursor: Cursor) -> None:
    write_atomic(folder / CURSOR_FILE, cursor.model_dump_json().encode())
