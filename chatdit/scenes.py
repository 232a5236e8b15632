"""A picture's understood scene, changed: by what the critic found wrong, or by a person's edit.

A Scene (chatdit/schema.py) is what one picture must show as the parser understood it. A retry
or an edit draws a changed scene; changing the fields here keeps the words from being read again.
"""

from __future__ import annotations

from chatdit.schema import EditSpec, Scene, Subject


def leading(scene: Scene, first: list[int]) -> Scene:
    """The same scene with these subjects first (as a prompt revised by the critic states what it
    found wrong first), every position and depth still pointing at the same subject."""
    first = [*dict.fromkeys(i for i in first if 0 <= i < len(scene.subjects))]
    return _kept(scene, [*first, *(i for i in range(len(scene.subjects)) if i not in first)])


def edited(scene: Scene, spec: EditSpec) -> Scene:
    """What the picture shows once this change is made: the named subject recolored, added or
    taken away; other changes (a move, a tone, free words) leave what it shows as it was."""
    named = [i for i, s in enumerate(scene.subjects) if spec.noun and s.name.split()[-1] == spec.noun]
    if spec.kind == "recolor" and spec.part == "object" and spec.color and named:
        return scene.model_copy(update={"subjects": [s.model_copy(update={"color": spec.color}) if i in named else s
                                                     for i, s in enumerate(scene.subjects)]})
    if spec.kind == "add" and spec.noun:
        added = Subject(name=spec.noun, count=spec.count, color=spec.color)
        return scene.model_copy(update={"subjects": [*scene.subjects, added]})
    if spec.kind == "remove" and named:
        return _kept(scene, [i for i in range(len(scene.subjects)) if i not in named])
    return scene


def _kept(scene: Scene, order: list[int]) -> Scene:
    """These subjects in this order, each position and depth pointing at the same subject as
    before (dropped where that subject is gone)."""
    new = {old: index for index, old in enumerate(order)}

    def moved(subject: Subject) -> Subject:
        return subject.model_copy(update={
            key: where.model_copy(update={"target": new[where.target]}) if where.target in new else None
            for key in ("position", "depth") if (where := getattr(subject, key))})

    return scene.model_copy(update={"subjects": [moved(scene.subjects[i]) for i in order]})
