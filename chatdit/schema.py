"""The contracts between agents: what was asked, how it will be made, what was made.

Every model here crosses a boundary (LLM backend -> parser -> planner -> executor -> critic ->
session store), so each one validates strictly and serialises to plain JSON.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

TaskKind = Literal["generate", "group", "reference", "edit", "inpaint", "layout", "faceswap"]
"""generate: one image; group: several consistent images (book, storyboard, variations);
reference: outputs conditioned on attached images; edit/inpaint: change earlier outputs;
layout: boxes given; faceswap: a face into a video."""

Collection = Literal["single", "book", "storyboard", "variations", "set"]
Relation = Literal["left of", "right of", "above", "below"]
DepthRelation = Literal["in front of", "behind"]
InputRole = Literal["reference", "style", "face", "edit_target", "source_video"]
AssetKind = Literal["image", "video", "pdf", "html", "gif"]
TextSource = Literal["person", "chatdit"]
"""Who wrote a page's text: a person's text is printed as written and never rewritten."""
Verdict = Literal["pass", "fail", "unknown"]
Box = tuple[float, float, float, float]
"""A region of a picture as normalised (x0, y0, x1, y1), 0 at the top left."""

MAX_PAGES = 200
"""A book longer than this is almost certainly a typo; the parser says so instead of queueing
hours of work."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Position(Strict):
    """Where a subject stands relative to another subject of the same instruction."""

    relation: Relation
    target: int = Field(ge=0, description="index of the other subject in Instruction.subjects")


class Depth(Strict):
    """Front-to-back order when subjects overlap ("a fish behind a boat")."""

    relation: DepthRelation
    target: int = Field(ge=0, description="index of the other subject in Instruction.subjects")


class Subject(Strict):
    name: str = Field(description="the noun, singular and lower case: 'teddy bear'")
    count: int = Field(default=1, ge=1, le=100)
    color: str | None = None
    attributes: list[str] = Field(default_factory=list, description="other adjectives: 'wooden'")
    position: Position | None = None
    depth: Depth | None = None
    character: str | None = Field(
        default=None, description="name of the character card this subject is ('Bob')"
    )
    hero: bool = Field(default=False, description="the story's main character, carried onto every page about it")
    count_stated: bool = Field(default=True, description="False for a bare plural ('travelers'): at least two, not exactly")


class Scene(Strict):
    """What one picture must show, as the parser understood it: its subjects (count, color,
    relations) and its setting. Planned panels carry it to the model, which draws from these
    fields instead of reading the prompt's words again."""

    subjects: list[Subject] = Field(default_factory=list)
    background: str | None = None


class CharacterSpec(Strict):
    """A named character defined in the request ("[Bob] a man in a black suit")."""

    name: str
    description: str


class PageSpec(Strict):
    """One output of a multi-image request: what the picture shows and the text under it."""

    number: int = Field(ge=1, description="1-based page / panel number")
    prompt: str = Field(description="what this picture shows")
    text: str | None = Field(default=None, description="page text or caption printed with it")
    characters: list[str] = Field(default_factory=list)
    subjects: list[Subject] = Field(default_factory=list,
                                    description="what this page must show (the hero first when it is on the page)")
    background: str | None = Field(default=None, description="this page's setting, when it names one")
    setting: str | None = Field(default=None, description="a place the page names that is none of the world's "
                                                          "backgrounds ('forest', 'den'): asked for, checked where a critic can")


class InputImage(Strict):
    path: str
    role: InputRole = "reference"


class Target(Strict):
    """An earlier output the message refers to: 'page 3', 'the last one', an asset id."""

    kind: Literal["page", "last", "asset"]
    page: int | None = Field(default=None, ge=1)
    asset_id: str | None = None


def unit_box(box: Box) -> Box:
    """The box, when it is a real region inside the picture; a ValueError a planner can act on otherwise."""
    x0, y0, x1, y1 = box
    if not (0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1):
        raise ValueError(f"box {box} must satisfy 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1")
    return box


class LayoutBox(Strict):
    """A phrase placed in a normalised xyxy box; order is front-to-back rank (0 = frontmost)."""

    phrase: str
    box: Box
    order: int = 0

    @field_validator("box")
    @classmethod
    def _box_inside_unit_square(cls, box: Box) -> Box:
        return unit_box(box)


EditKind = Literal["recolor", "add", "remove", "move", "resize", "tone", "free"]
EditPart = Literal["sky", "ground", "object", "picture"]


class EditSpec(Strict):
    """The change an edit asks for, read once from its words: what the tools do and what the critic checks."""

    kind: EditKind = "free"
    part: EditPart = "picture"
    noun: str | None = Field(default=None, description="the object changed, singular: 'fox'")
    color: str | None = Field(default=None, description="recolor: the new color; add: the new object's color")
    direction: Literal["left", "right", "up", "down", "darker", "brighter", "bigger", "smaller"] | None = None
    place: str | None = Field(default=None, description="add: where it goes, an absolute place ('top left') or None")
    count: int = Field(default=1, ge=1, le=10, description="add: how many ('put two birds in the sky')")
    relation: Relation | DepthRelation | None = Field(default=None, description="add: where against another thing ('above')")
    target: str | None = Field(default=None, description="add: the thing it goes against, singular ('fox')")
    text: str = Field(description="the change as the person said it")


BookOpKind = Literal["append", "remove", "move", "swap", "new_book"]


class BookOp(Strict):
    """A change to the book itself rather than to a picture: add pages after the last, remove or
    reorder pages, or begin a new book in the same session."""

    kind: BookOpKind
    pages: list[int] = Field(default_factory=list, description="remove/move: the pages named")
    before: int | None = Field(default=None, ge=1, description="move: the page it goes before")


class Instruction(Strict):
    """What the person asked for, as a careful human would write it down."""

    task: TaskKind = "generate"
    collection: Collection = "single"
    prompt: str = Field(description="the scene to draw, cleaned of chat phrasing")
    output_count: int = Field(default=1, ge=1, le=MAX_PAGES)
    subjects: list[Subject] = Field(default_factory=list)
    background: str | None = None
    setting: str | None = Field(default=None, description="one page's named place beyond the backgrounds (see PageSpec)")
    style: str | None = None
    pages: list[PageSpec] = Field(default_factory=list)
    characters: list[CharacterSpec] = Field(default_factory=list)
    inputs: list[InputImage] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    edit: str | None = Field(default=None, description="the change asked for, for edit tasks")
    edit_spec: EditSpec | None = Field(default=None, description="the change, understood: kind, part, noun, color")
    book_op: BookOp | None = None
    layout: list[LayoutBox] = Field(default_factory=list)
    width: int | None = Field(default=None, ge=16, le=4096)
    height: int | None = Field(default=None, ge=16, le=4096)
    consent: bool = False
    consent_note: str | None = Field(default=None, description="who affirmed consent and how (set by chatdit, not the reader)")

    def scene(self, page: int | None) -> Instruction:
        """What one output must show: the page's own subjects and background when the pages were
        read as scenes, else the whole instruction (a single picture, an edit)."""
        spec = next((p for p in self.pages if p.number == page), None)
        if spec is None or not any(p.subjects or p.background for p in self.pages):
            return self
        return self.model_copy(update={"subjects": spec.subjects, "background": spec.background or self.background,
                                       "setting": spec.setting,
                                       "pages": [], "output_count": 1, "prompt": spec.prompt})

    def page_scene(self, page: int | None) -> Scene | None:
        """The subjects and setting of one output (see `scene`) as the tools carry them; None when
        nothing was understood (as from an LLM backend that leaves them out): the model reads the words."""
        scene = self.scene(page)
        return Scene(subjects=scene.subjects, background=scene.background) if scene.subjects or scene.background else None


class ToolCall(Strict):
    """A tool and its arguments, kept as the JSON of the tool's own argument model (built with
    `of`, read back with `chatdit.tools.registry.args_of`), so plans store and edit as plain data."""

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def of(cls, tool: str, args: BaseModel) -> ToolCall:
        """The call of `tool` with these arguments, holding what was set (defaults stay the tool's)."""
        return cls(tool=tool, args=args.model_dump(mode="json", exclude_unset=True))


class Step(Strict):
    id: str
    call: ToolCall
    purpose: str = ""
    pages: list[int] = Field(default_factory=list, description="book pages this step makes")
    depends_on: list[str] = Field(default_factory=list)


class Plan(Strict):
    steps: list[Step] = Field(default_factory=list)
    rationale: str = ""


class ConsentRequest(Strict):
    """Asked before a face swap whose request did not state consent: whose faces go into which video."""

    faces: list[str] = Field(description="the face pictures, as attached")
    video: str | None = None

    def question(self) -> str:
        """What the person is asked, in the TUI and on the terminal alike."""
        faces = ", ".join(self.faces) or "the attached picture"
        return (f"Face swap puts the face in {faces} into {self.video or 'the video'}. "
                "Did the person whose face this is agree to it? The video will carry a watermark "
                "and a record of how it was made.")


class Approval(Strict):
    """A person's go-ahead on a plan with what they changed in it: what each page shows (the
    plan's panel prompts) and the text printed under each page."""

    plan: Plan
    page_texts: dict[int, str | None] = Field(default_factory=dict, description="page number -> text; None removes it")


class Asset(Strict):
    """A file in the session folder, named by its content hash, with how it was made."""

    id: str
    path: str
    kind: AssetKind = "image"
    page: int | None = Field(default=None, ge=1)
    width: int | None = None
    height: int | None = None
    tool: str | None = None
    prompt: str | None = None
    seed: int | None = None
    model: str | None = None
    steps: int | None = None
    parents: list[str] = Field(default_factory=list)
    turn_id: str | None = None
    step_id: str | None = None
    attempt: int = 0
    created_at: datetime = Field(default_factory=utc_now)

    def image(self) -> PILImage:
        """The picture as a PIL image, read whole (the file is closed again). Session hands out
        assets with absolute paths, so this works from any folder."""
        from PIL import Image

        from chatdit.errors import InputImageError

        if self.kind != "image":
            raise InputImageError(f"asset {self.id} is a {self.kind}, not a picture; open {self.path} with a player")
        with Image.open(self.path) as picture:
            picture.load()
            return picture.copy()


class RequirementCheck(Strict):
    name: str = Field(description="e.g. 'fox: count 2', 'page text'")
    kind: Literal["presence", "count", "color", "position", "text", "identity", "structure", "quality"]
    verdict: Verdict
    detail: str = ""
    required: bool = Field(default=False, description="its failure fails the output whatever the score (an edit's change)")


class Critique(Strict):
    asset_id: str
    score: float = Field(ge=0.0, le=1.0, description="share of the checked requirements that are met")
    passed: bool
    coverage: float | None = Field(default=None, ge=0.0, le=1.0,
                                   description="share of the content requirements the critic could check; "
                                               "None when only structure was checked, 0 when the critic could check none")
    checks: list[RequirementCheck] = Field(default_factory=list)
    feedback: str = ""
    critic: str = "structure"
    attempt: int = 0
    page: int | None = Field(default=None, description="the page this output is (kept for a missing output too)")
    step_id: str | None = Field(default=None, description="the step that made (or failed to make) it")

    @property
    def verdict(self) -> Literal["pass", "fail", "unchecked"]:
        """'unchecked' when it passed only because the critic could check nothing, or could not
        check what matters most (the story's hero, the change an edit asked for)."""
        if not self.passed:
            return "fail"
        if self.coverage == 0 or any(c.required and c.verdict == "unknown" for c in self.checks):
            return "unchecked"
        return "pass"

    @property
    def fully_checked(self) -> bool:
        """Every content requirement was checked and met: only then may a reply say 'passed'."""
        return self.verdict == "pass" and all(c.verdict == "pass" for c in self.checks if c.kind not in ("structure", "quality"))

    def score_text(self) -> str:
        """The score as a person should read it: 'unchecked' when nothing could be judged, nothing
        when only structure was checked (pass/fail says it all)."""
        if self.coverage is None:
            return ""
        if self.coverage == 0:
            return "unchecked"
        partly = f" ({self.coverage:.0%} checked)" if self.coverage < 1 else ""
        return f"{self.score:.2f}{partly}"


class Turn(Strict):
    id: str
    parent_id: str | None = None
    message: str
    images: list[str] = Field(default_factory=list)
    instruction: Instruction | None = None
    plan: Plan | None = None
    assets: list[Asset] = Field(default_factory=list, description="the outputs: best attempt per page or picture")
    attempts: list[Asset] = Field(default_factory=list, description="every attempt, kept so a person can pick another")
    critiques: list[Critique] = Field(default_factory=list)
    reply: str = ""
    status: Literal["running", "done", "failed", "cancelled"] = "running"
    thread_id: str | None = Field(default=None, description="graph thread this turn ran in")
    checkpoint_id: str | None = Field(default=None, description="graph checkpoint after this turn")
    error: str | None = None
    created_at: datetime = Field(default_factory=utc_now)


class CharacterCard(Strict):
    """A character kept consistent across steps and turns: its words and the picture that first showed it."""

    name: str
    description: str
    asset_id: str | None = None
    page: int | None = None
    photo: str | None = Field(default=None, description="asset id of the person's own picture of the hero (chatdit.heroes)")
    identity: str | None = Field(default=None, description="how the photo's look was read, or why it could not be")


class PageEntry(Strict):
    """What a book page currently is: the picture, what it was asked to show, and its text."""

    asset_id: str
    prompt: str
    text: str | None = None
    text_source: TextSource | None = Field(default=None, description="None: from before texts were tracked; kept as written")
    scene: Scene | None = Field(default=None, description="what it was asked to show, understood: a redo or an edit draws from it")
