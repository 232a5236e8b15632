"""YAML read with bounds, for scripts and `--set` values: size, nesting depth and alias expansion.

PyYAML's safe loader already refuses Python tags, but a 1 KB "billion laughs" file still expands
to 10^9 nodes once anything walks it, and deep nesting hits Python's recursion limit. Here the
text is bounded before parsing, depth while composing, and the expanded node count (every alias
counted as the whole node it stands for) before any value is built.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_NODES = 100_000


class YamlLimitError(ValueError):
    """The document is beyond a bound; the message says which."""


class BoundedLoader(yaml.SafeLoader):
    """The safe loader, refusing nesting deeper than MAX_DEPTH while composing."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlLimitError(f"nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def expanded_size(node: yaml.Node) -> int:
    """How many nodes the document has once every alias is expanded, stopping past MAX_NODES."""
    sizes: dict[int, int] = {}

    def size(current: yaml.Node) -> int:
        if id(current) in sizes:
            return sizes[id(current)]
        sizes[id(current)] = MAX_NODES + 1  # a node reached again while being counted: a cycle
        if isinstance(current, yaml.SequenceNode):
            total = 1 + sum(size(child) for child in current.value)
        elif isinstance(current, yaml.MappingNode):
            total = 1 + sum(size(key) + size(value) for key, value in current.value)
        else:
            total = 1
        sizes[id(current)] = min(total, MAX_NODES + 1)
        return sizes[id(current)]

    return size(node)


def load_bounded(data: bytes | str) -> Any:
    """The YAML document's value; YamlLimitError or yaml.YAMLError when it is beyond a bound or invalid."""
    if len(data) > MAX_BYTES:
        raise YamlLimitError(f"{len(data)} bytes, more than the {MAX_BYTES} accepted")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise YamlLimitError(f"not UTF-8 text (byte {exc.start} is 0x{data[exc.start]:02x})") from None
    loader = BoundedLoader(data)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if expanded_size(node) > MAX_NODES:
            raise YamlLimitError(f"its aliases expand to more than {MAX_NODES} values")
        return loader.construct_document(node)
    except RecursionError:
        raise YamlLimitError(f"nested more than {MAX_DEPTH} levels deep") from None
    finally:
        loader.dispose()
