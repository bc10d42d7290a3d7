"""Editing a YAML file in place: the designer's comments, key order and layout kept.

A blueprint loaded from YAML remembers its text. Saving it again does not write
the canonical form from scratch: the changes made since loading (the difference
between the data the text held, ``old``, and the data of the model now, ``new``)
are merged into the text's round-trip tree (ruamel.yaml), so comments stay
attached where they were. Sections and list items that did not change are then
copied from the original text line for line, so their layout (wrapped lists,
quoting, blank lines) is exactly as the designer left it.

Items of lists are matched by what names them (a step's ``id``, a role's or
stream's ``name``, a flow's ``from``/``to``), so a step added, removed or
moved keeps the comments of the others. The caller checks the result reads back
as ``new`` and falls back to the canonical form when it does not.

>>> text = "# TODO: check the prices\\nname: Shop  # shown on the diagram\\nsteps:\\n  - id: pay\\n    duration: 2 min\\n"
>>> print(edit_texts(text, {"name": "Shop", "steps": [{"id": "pay", "duration": "2 min"}]},
...                  {"name": "Shop", "steps": [{"id": "pay", "duration": "3 min"}]})[0], end="")
# TODO: check the prices
name: Shop  # shown on the diagram
steps:
  - id: pay
    duration: 3 min
"""

from __future__ import annotations

import io
from typing import Any

__all__ = ["edit_texts"]

_NAMING_KEYS = ("id", "name")


def _identity(item: Any) -> tuple[Any, ...] | None:
    """What names a list item: its id or name, or a flow's ends; None for anything else."""
    if not isinstance(item, dict):
        return None
    for key in _NAMING_KEYS:
        if isinstance(item.get(key), str):
            return (key, item[key])
    if isinstance(item.get("from"), str) and isinstance(item.get("to"), str):
        return ("flow", item["from"], item["to"], item.get("kind"))
    return None


def _match(old: list[Any], new: list[Any]) -> list[int | None]:
    """For each new item, the index of the old item it continues (or None for a new one).

    Named items match by name; the rest match the unmatched old item at the same place.
    """
    by_name: dict[tuple[Any, ...], list[int]] = {}
    for i, item in enumerate(old):
        ident = _identity(item)
        if ident is not None:
            by_name.setdefault(ident, []).append(i)
    taken: set[int] = set()
    found: list[int | None] = []
    for item in new:
        ident = _identity(item)
        candidates = by_name.get(ident, []) if ident is not None else []
        index = next((i for i in candidates if i not in taken), None)
        found.append(index)
        if index is not None:
            taken.add(index)
    for j, item in enumerate(new):
        if found[j] is None and _identity(item) is None and j < len(old) and j not in taken and _identity(old[j]) is None:
            found[j] = j
            taken.add(j)
    return found


def _quote_needed(text: str) -> str:
    """The quote a YAML 1.1 writer puts around ``text`` (``'12:00'``, ``'yes'``, ``'? key'``), or ``""``:
    new text is quoted wherever any reader, old or new, could take it for something else."""
    import yaml

    first = yaml.safe_dump([text], default_flow_style=True, allow_unicode=True, width=1 << 30)[1:2]  # in a flow list
    return first if first in ("'", '"') else ""


def _literal_safe(text: str) -> bool:
    """Whether text reads back the same from a ``|`` block: printable lines, no spaces at either end."""
    lines = text.split("\n")
    return (
        all(c == "\n" or c.isprintable() for c in text)
        and not text[:1].isspace()
        and all(line == line.strip() for line in lines)
    )


class _Merger:
    """Merges ``new`` into a ruamel round-trip tree whose data (as the model reads it) is ``old``."""

    def __init__(self) -> None:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, SingleQuotedScalarString

        self.Map, self.Seq = CommentedMap, CommentedSeq
        self.Literal = LiteralScalarString
        self.quoted = (DoubleQuotedScalarString, SingleQuotedScalarString)

    def fresh(self, value: Any, like: Any = None) -> Any:
        """Plain data as tree nodes, in the style of the node it replaces or of its siblings."""
        flow = isinstance(like, (self.Map, self.Seq)) and like.fa.flow_style()
        if isinstance(value, dict):
            node = self.Map()
            for k, v in value.items():
                node[k] = self.fresh(v)
            if flow:
                node.fa.set_flow_style()
            return node
        if isinstance(value, list):
            seq = self.Seq(self.fresh(v) for v in value)
            if flow or value and all(not isinstance(v, (dict, list)) for v in value):
                seq.fa.set_flow_style()
            return seq
        if isinstance(value, str):
            if "\n" in value and _literal_safe(value):
                return self.Literal(value)
            if "\n" in value or not value.isprintable():  # escaped; YAML 1.1 readers take \x85 for a line break
                return self.quoted[0](value)
            quote = _quote_needed(value)
            if quote:
                return self.quoted[0](value) if quote == '"' else self.quoted[1](value)
            if isinstance(like, self.quoted):
                return type(like)(value)
        return value

    def merge(self, node: Any, old: Any, new: Any) -> Any:
        """The node to hold ``new`` where ``node`` (read as ``old``) was."""
        if old == new and type(old) is type(new):
            return node
        if isinstance(node, self.Map) and isinstance(old, dict) and isinstance(new, dict):
            self.merge_map(node, old, new)
            return node
        if isinstance(node, self.Seq) and isinstance(old, list) and isinstance(new, list) and len(node) == len(old):
            self.merge_seq(node, old, new)
            return node
        return self.fresh(new, like=node)

    def merge_map(self, node: Any, old: dict[str, Any], new: dict[str, Any]) -> None:
        for key in [k for k in node if k in old and k not in new]:
            del node[key]
        previous: str | None = None
        for key, value in new.items():
            if key in node:
                merged = self.merge(node[key], old[key], value) if key in old else self.fresh(value, like=node[key])
                if merged is not node[key]:
                    _shift_comment(node, key, node[key], merged)
                    node[key] = merged
            elif key in old and old[key] == value:
                continue  # filled in when read (a step's id from its label): still is
            else:
                position = list(node).index(previous) + 1 if previous is not None else 0
                node.insert(position, key, self.fresh(value))
            previous = key

    def merge_seq(self, node: Any, old: list[Any], new: list[Any]) -> None:
        found = _match(old, new)
        kept = sorted(i for i in found if i is not None)
        if [i for i in found if i is not None] != kept:  # items moved: rebuilt, comments of moved items may go
            items = [self.merge(node[i], old[i], v) if i is not None else self.fresh(v, like=node[0] if len(node) else None)
                     for i, v in zip(found, new)]
            del node[:]
            node.extend(items)
            return
        sibling = node[0] if len(node) else None
        for gone in reversed(range(len(old))):
            if gone not in kept:
                if gone:
                    _pass_on_comments(node[gone], node[gone - 1])
                del node[gone]
        for j, (i, value) in enumerate(zip(found, new)):
            if i is None:
                node.insert(j, self.fresh(value, like=sibling))
                if j == len(node) - 1 and j:
                    _move_trailing_lines(node[j - 1], node[j])
            else:
                merged = self.merge(node[j], old[i], value)
                if merged is not node[j]:
                    node[j] = merged


def _shift_comment(node: Any, key: Any, before: Any, after: Any) -> None:
    """Keep the comment at the end of ``key``'s line as far from the new value as from the old."""
    entry = node.ca.items.get(key)
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None or not token.value.startswith("#") or isinstance(after, (dict, list)):
        return
    try:
        token.column = max(token.column + len(str(after)) - len(str(before)), 0)
    except AttributeError:  # a token made without a position
        pass


def _last_entry(node: Any) -> tuple[Any, Any] | None:
    """The block mapping and key whose line ends ``node`` (where blank lines after it are kept)."""
    if not hasattr(node, "keys") or not len(node) or node.fa.flow_style():
        return None
    key = list(node)[-1]
    deeper = _last_entry(node[key])
    return deeper if deeper is not None else (node, key)


def _move_trailing_lines(before: Any, after: Any) -> None:
    """Blank lines and comments that followed the list's last item follow the item appended after it."""
    source, target = _last_entry(before), _last_entry(after)
    if source is None or target is None:
        return
    entry = source[0].ca.items.get(source[1])
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None or not token.value.startswith("\n"):
        return
    entry[2] = None
    target[0].ca.items[target[1]] = [None, None, token, None]


def _pass_on_comments(gone: Any, before: Any) -> None:
    """Comment lines after an item that is removed speak of the next item: they follow the item before."""
    source, target = _last_entry(gone), _last_entry(before)
    if source is None or target is None:
        return
    entry = source[0].ca.items.get(source[1])
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None or "\n" not in token.value:
        return
    rest = token.value.split("\n", 1)[1]  # what follows the end of the item's last line
    if "#" not in rest:
        return
    slot = target[0].ca.items.setdefault(target[1], [None, None, None, None])
    if slot[2] is not None:
        slot[2].value = slot[2].value + rest
    else:
        from ruamel.yaml.error import CommentMark
        from ruamel.yaml.tokens import CommentToken

        slot[2] = CommentToken("\n" + rest, CommentMark(0), None)


def _yaml(text: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.util import load_yaml_guess_indent

    _, indent, dash = load_yaml_guess_indent(text)
    y = YAML(typ="rt")
    y.indent(mapping=2, sequence=max(indent or 2, (dash or 0) + 2), offset=dash or 0)
    y.width = 4096  # never wrap a line the designer did not wrap
    y.preserve_quotes = True
    y.allow_unicode = True
    return y


def _spans(node: Any, lines: list[str], start: int, end: int) -> list[tuple[int, int]]:
    """The line range of each entry of a mapping or list: from the comment lines just above it
    (they speak of it) to the next entry's range."""
    if hasattr(node, "keys"):
        firsts = [node.lc.key(k)[0] for k in node]
    else:
        firsts = [node.lc.item(i)[0] for i in range(len(node))]
    for n in range(1, len(firsts)):  # comments above the first entry are the head of the list or file
        line, top = firsts[n], firsts[n]
        while line - 1 > firsts[n - 1] and (not lines[line - 1].strip() or lines[line - 1].lstrip().startswith("#")):
            line -= 1
            if lines[line].strip():
                top = line
        firsts[n] = top
    firsts = [max(first, start) for first in firsts]
    ends = firsts[1:] + [end]
    return list(zip(firsts, ends))


def _splice(original: str, tree: Any, edited: str, y: Any, unchanged: dict[str, Any]) -> str:
    """``edited`` with the lines of each unchanged top-level section, and each unchanged item of a
    top-level list, copied from ``original`` (``unchanged`` maps a key to True or to the item
    indices of the edited list that continue an unchanged original item, as pairs)."""
    before, after = original.splitlines(keepends=True), edited.splitlines(keepends=True)
    out_tree = y.load(edited)
    if not hasattr(out_tree, "keys") or not hasattr(tree, "keys") or not len(out_tree) or not len(tree):
        return edited
    old_spans = dict(zip(tree, _spans(tree, before, 0, len(before))))
    new_spans = dict(zip(out_tree, _spans(out_tree, after, 0, len(after))))
    swaps: list[tuple[tuple[int, int], tuple[int, int]]] = [
        ((0, next(iter(new_spans.values()))[0]), (0, next(iter(old_spans.values()))[0]))  # the header
    ]
    for key, how in unchanged.items():
        if key not in old_spans or key not in new_spans:
            continue
        if how is True:
            swaps.append((new_spans[key], old_spans[key]))
            continue
        a, b = old_spans[key], new_spans[key]
        old_items = _spans(tree[key], before, tree.lc.key(key)[0] + 1, a[1])
        new_items = _spans(out_tree[key], after, out_tree.lc.key(key)[0] + 1, b[1])
        for j, i in how:
            if j < len(new_items) and i < len(old_items):
                o0, o1 = old_items[i]
                if i == len(old_items) - 1 and j < len(new_items) - 1:  # no longer last: the list's tail stays last
                    while o1 > o0 + 1 and not before[o1 - 1].strip():
                        o1 -= 1
                swaps.append((new_items[j], (o0, o1)))
    for (n0, n1), (o0, o1) in sorted(swaps, reverse=True):
        after[n0:n1] = before[o0:o1]
    text = "".join(after)
    return text if text.endswith("\n") or not text else text + "\n"


def edit_texts(text: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """YAML texts holding ``new``, made from ``text`` (which holds ``old``) with its comments:
    the best first (unchanged parts copied line for line), then the merged tree as ruamel writes it.
    Empty when the text cannot be read as a mapping. The caller checks which reads back as ``new``."""
    if old == new:
        return [text]
    y = _yaml(text)
    tree = y.load(text)
    if not hasattr(tree, "keys"):
        return []
    unchanged: dict[str, Any] = {}
    for key, value in new.items():
        if key in tree and key in old:
            if old[key] == value:
                unchanged[key] = True
            elif isinstance(old[key], list) and isinstance(value, list) and len(tree[key]) == len(old[key]):
                found = _match(old[key], value)
                unchanged[key] = [(j, i) for j, i in enumerate(found) if i is not None and old[key][i] == value[j]]
    _Merger().merge_map(tree, old, new)
    buffer = io.StringIO()
    y.dump(tree, buffer)
    edited = buffer.getvalue()
    original_tree = y.load(text)
    try:
        spliced = _splice(text, original_tree, edited, y, unchanged)
    except Exception:  # noqa: BLE001 - the merged text is still a good answer
        return [edited]
    return [spliced, edited] if spliced != edited else [edited]
