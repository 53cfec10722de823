"""A babel extraction method for the dialog YAML files, so one `pybabel extract` collects everything."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

import yaml

from bot.core.dialogs import TEXT_KEYS


def _walk(node: yaml.Node, path: str, keys: frozenset[str]) -> Iterator[tuple[int, str, str]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(key.value)
            here = f"{path}.{name}" if path else name
            if name in keys and isinstance(value, yaml.ScalarNode) and str(value.value).strip():
                yield value.start_mark.line + 1, str(value.value), here
            else:
                yield from _walk(value, here, keys)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk(item, f"{path}[{index}]", keys)


def _keys(root: yaml.Node) -> frozenset[str]:
    """An outcome's title is shown to the family in /mydata, so the outcomes file's titles are texts too."""
    top = {str(k.value) for k, _ in root.value} if isinstance(root, yaml.MappingNode) else set()
    return frozenset(TEXT_KEYS) | ({"title"} if "outcomes" in top else set())


def extract_yaml(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Sequence[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Yield (line, funcname, message, comments) for every text, label and hint of a dialog file."""
    root = yaml.compose(fileobj.read().decode("utf-8"), Loader=yaml.SafeLoader)
    if root is None:
        return
    flow_id = _flow_id(root)
    for line, text, path in _walk(root, "", _keys(root)):
        yield line, None, text, [_where(flow_id, path)]


def _flow_id(root: yaml.Node) -> str:
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "id" and isinstance(value, yaml.ScalarNode):
                return str(value.value)
    return "-"


def _where(flow_id: str, path: str) -> str:
    """nodes.menu.options[2].label -> main/menu (options[2].label), the way `check` names a place."""
    if not path.startswith("nodes."):
        return path
    node, _, rest = path[len("nodes.") :].partition(".")
    if "[" in node:
        node, bracket, tail = node.partition("[")
        rest = bracket + tail + ("." + rest if rest else "")
    return f"{flow_id}/{node} ({rest})" if rest else f"{flow_id}/{node}"
