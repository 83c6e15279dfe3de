"""The body's outline: markers (``1.``, ``a)``, ``-`` …) nested into a tree of items."""

from __future__ import annotations

from dataclasses import dataclass, field

from tasks.extract.lexicon import MARKER_RE
from tasks.readers import Block


@dataclass
class Node:
    kind: str  # marker kind: roman | num | multi | letter | paren | dash | plus | para | row | root
    label: str | None
    text: str
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    continuation: list[str] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)
    index: int = 0  # dash/plus bullets count within their parent

    @property
    def full_text(self) -> str:
        return " ".join([self.text, *self.continuation]).strip()

    def path(self) -> str | None:
        parts: list[str] = []
        node: Node | None = self
        while node is not None and node.kind != "root":
            if node.kind in ("dash", "plus"):
                parts.append(f"-{node.index}")
            elif node.label:
                parts.append(node.label)
            node = node.parent
        return ".".join(reversed(parts)) or None


def marker(text: str) -> tuple[str, str | None, str] | None:
    m = MARKER_RE.match(text)
    if not m:
        return None
    kind = next(k for k, v in m.groupdict().items() if v is not None)
    label = m.group(kind)
    if kind == "roman" and not label:
        return None
    if kind == "num" and text[m.end(kind) : m.end(kind) + 1] == ")":
        kind = "num"  # "1)" numbers the same way as "1."
    return kind, (None if kind in ("dash", "plus") else label), text[m.end() :].strip()


def build_tree(texts: list[tuple[str, Block]]) -> Node:
    """Nest marked paragraphs by the order in which marker kinds appear (an outline)."""
    root = Node("root", None, "")
    stack: list[Node] = [root]
    counts: dict[tuple[int, str], int] = {}  # (id of the parent, kind) → children so far
    for text, block in texts:
        if block.kind == "row":
            node = Node("row", None, text, parent=root)
            node.cells = dict(zip(block.header, block.cells, strict=False))
            root.children.append(node)
            stack = [root]
            continue
        found = marker(text)
        if found is None:
            stack[-1].continuation.append(text)
            continue
        kind, label, rest = found
        # Pop to the level that holds this kind, if any; else nest under the current item.
        depth = next((i for i in range(len(stack) - 1, 0, -1) if stack[i].kind == kind), None)
        if depth is not None:
            del stack[depth:]
        parent = stack[-1]
        node = Node(kind, label, rest, parent=parent)
        node.index = counts[id(parent), kind] = counts.get((id(parent), kind), 0) + 1
        parent.children.append(node)
        stack.append(node)
    return root
