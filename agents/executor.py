"""Run one plan step on the tool registry and keep what it made as Assets.

The executor is the only agent that touches tools; it resolves references to pages (typed
`AssetRef(page=N)`) to the assets made earlier in the turn (or the book's pages), reports denoising
progress, and stores every output content-addressed with its provenance.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from chatdit.tools.reference import AssetRef, ReferenceArgs

from chatdit.errors import PageReferenceError, ToolArgumentError
from chatdit.events import Denoising, Event
from chatdit.schema import Asset, PageEntry, Step
from chatdit.store import SessionStore


def resolve_reference(ref: AssetRef, made: list[Asset], book: dict[int, PageEntry]) -> AssetRef:
    """The asset a reference means: a page is the newest page of that number this turn, else the book's."""
    if ref.page is None:
        return ref
    this_turn = [asset for asset in made if asset.page == ref.page]
    if this_turn:
        return AssetRef(asset_id=this_turn[-1].id)
    if ref.page in book:
        return AssetRef(asset_id=book[ref.page].asset_id)
    raise PageReferenceError(f"step needs page {ref.page}, which has not been made")


class DenoiseReporter:
    """Turns (done, total) callbacks into Denoising events with an ETA from the mean step time.

    The time before the first callback also holds loading the pipeline and encoding the prompt
    (on nano, 120 s "left" at step 1 of a 16 s turn), so the ETA is timed from the first
    callback on, and there is none until a second one has come."""

    def __init__(self, step_id: str, emit: Callable[[Event], None]):
        self.step_id, self.emit = step_id, emit
        self.first: tuple[float, int] | None = None

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if self.first is None or done <= self.first[1]:
            self.first, eta = (now, done), None
        else:
            started, done_then = self.first
            eta = (now - started) / (done - done_then) * (total - done)
        self.emit(Denoising(step_id=self.step_id, done=done, total=total, eta_s=eta))


def run_step(step: Step, *, store: SessionStore, hub, made: list[Asset], book: dict[int, PageEntry],
             turn_id: str, attempt: int, cancel, emit: Callable[[Event], None]) -> list[Asset]:
    """Run one step and return its outputs as stored Assets."""
    from chatdit.tools.registry import ToolContext, args_of, run_tool

    args = args_of(step.call)
    if isinstance(args, ReferenceArgs):
        args = args.model_copy(update={"references": [resolve_reference(ref, made, book) for ref in args.references]})

    def load_image(asset_id: str):
        from PIL import Image

        path = store.image_path(asset_id)
        if not path.exists():
            raise ToolArgumentError(f"reference {asset_id} is not an image of this session")
        with Image.open(path) as image:
            return image.convert("RGB")

    ctx = ToolContext(hub=hub, load_image=load_image, workdir=store.work_dir,
                      progress=DenoiseReporter(step.id, emit), cancel=cancel)
    outputs = run_tool(step.call.tool, args, ctx)
    model_name = hub.info.name
    stored = []
    for output in outputs:
        fields = dict(page=output.page, tool=step.call.tool, prompt=output.prompt, seed=output.seed,
                      model=model_name, steps=output.steps, parents=output.parents, turn_id=turn_id,
                      step_id=step.id, attempt=attempt)
        provenance = {**fields, **output.meta, "generator": "chatdit"}
        if output.image is not None:
            asset = store.add_image(output.image, provenance, **fields)
        else:
            asset = store.add_file(output.file, kind=output.kind, provenance=provenance, **fields)
        stored.append(asset)
    return stored
