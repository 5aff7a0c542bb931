"""Sphinx directives that generate the parts of the docs that must not go stale.

* ``sogni-namespace``: the reference of one public namespace, read from its ``__all__``.
  Each object is documented once, in its *home* namespace (:func:`home_of`); the other
  namespaces that export it link there, so the Python domain never sees a duplicate.
* ``sogni-error-tree``: the exception hierarchy of :mod:`sogni.errors`, drawn as a tree.
* ``sogni-param-names``: the Python-to-TypeScript parameter name table
  (:data:`sogni.projects.PARAM_NAMES_TS`), with the project types each parameter applies to.

The tests import :data:`PUBLIC_NAMESPACES` and :func:`home_of` to check the built site.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import pkgutil
import re
from collections.abc import Iterator
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.nodes import nested_parse_with_titles

# Every public (non-underscore) module that has an ``__all__``, in page order. A test walks the
# packages and fails when a public module is missing here.
PUBLIC_NAMESPACES: tuple[str, ...] = (
    "sogni",
    "sogni.client",
    "sogni.config",
    "sogni.auth",
    "sogni.account",
    "sogni.errors",
    "sogni.projects",
    "sogni.projects.api",
    "sogni.projects.handles",
    "sogni.projects.params",
    "sogni.projects.media",
    "sogni.projects.frames",
    "sogni.projects.catalog",
    "sogni.projects.families",
    "sogni.projects.families.ace_step",
    "sogni.projects.families.birefnet",
    "sogni.projects.families.comfy_image",
    "sogni.projects.families.flashvsr",
    "sogni.projects.families.gpt_image",
    "sogni.projects.families.happyhorse",
    "sogni.projects.families.ltx",
    "sogni.projects.families.minimax_h3",
    "sogni.projects.families.minimax_music",
    "sogni.projects.families.pixal3d",
    "sogni.projects.families.qwen3_tts",
    "sogni.projects.families.qwen_image",
    "sogni.projects.families.sam3",
    "sogni.projects.families.seedance",
    "sogni.projects.families.standard_image",
    "sogni.projects.families.wan22",
    "sogni.projects.families.wan3",
    "sogni.chat",
    "sogni.workflows",
    "sogni.replay",
    "sogni.stats",
    "sogni.announcements",
    "sogni.batch",
    "sogni.testing",
    "sogni_async",
    "sogni_async.batch",
)


def _exports(namespace: str) -> Iterator[tuple[str, Any]]:
    module = importlib.import_module(namespace)
    for name in module.__all__:
        yield name, getattr(module, name)


@functools.cache
def _all_modules() -> tuple[str, ...]:
    """Every module of the two packages, private ones included (where data is assigned)."""
    names: list[str] = []
    for top in ("sogni", "sogni_async"):
        package = importlib.import_module(top)
        names.append(top)
        names += [info.name for info in pkgutil.walk_packages(package.__path__, top + ".")]
    return tuple(names)


@functools.cache
def _source(module_name: str) -> str:
    spec = importlib.util.find_spec(module_name)
    origin = spec.origin if spec is not None else None
    if not origin or not origin.endswith(".py"):
        return ""
    with open(origin, encoding="utf-8") as handle:
        return handle.read()


def _data_module(namespace: str, name: str) -> str:
    """The module that assigns the data ``name`` exported by ``namespace``."""
    pattern = re.compile(rf"^{re.escape(name)}\s*(:[^=\n]*)?=", re.MULTILINE)
    top = namespace.split(".")[0]
    # The namespace itself, then its own modules, then its top package, then anywhere
    # (``sogni_async`` re-exports data that ``sogni`` assigns).
    candidates = [namespace]
    candidates += [m for m in _all_modules() if m.startswith(namespace + ".")]
    candidates += [m for m in _all_modules() if m.split(".")[0] == top]
    candidates += list(_all_modules())
    for module_name in candidates:
        if pattern.search(_source(module_name)):
            return module_name
    return namespace


def data_doc(namespace: str, name: str) -> list[str]:
    """The ``#:`` comment or string under the assignment of a data name, as lines."""
    module_name = _data_module(namespace, name)
    try:
        docs = ModuleAnalyzer.for_module(module_name).find_attr_docs()
    except PycodeError:
        docs = {}
    lines = [line for line in docs.get(("", name), []) if line is not None]
    if any(line.strip() for line in lines):
        return lines
    # Otherwise the plain comment block right above the assignment.
    source = _source(module_name).splitlines()
    pattern = re.compile(rf"^{re.escape(name)}\s*(:[^=]*)?=")
    for index, line in enumerate(source):
        if pattern.match(line):
            above: list[str] = []
            cursor = index - 1
            while cursor >= 0 and source[cursor].startswith("#"):
                above.insert(0, source[cursor].lstrip("#").strip())
                cursor -= 1
            return above
    return []


def _defined_in(namespace: str, name: str, obj: Any) -> str:
    if inspect.isclass(obj) or inspect.isfunction(obj):
        return getattr(obj, "__module__", "") or ""
    return _data_module(namespace, name)


@functools.cache
def home_of(namespace: str, name: str) -> str:
    """The full name under which ``namespace.name`` is documented in full.

    An object exported by several namespaces (``sogni.Project``, ``sogni.projects.Project``,
    ``sogni.projects.handles.Project``) lives in the deepest public namespace that both exports
    it and contains the module defining it; failing that, in the first one of
    :data:`PUBLIC_NAMESPACES` exporting it. The other names get a short entry linking there.
    """
    obj = getattr(importlib.import_module(namespace), name)
    defined_in = _defined_in(namespace, name, obj)
    exporters = [
        (ns, n)
        for ns in PUBLIC_NAMESPACES
        for n, other in _exports(ns)
        if other is obj and (n == name or inspect.isclass(obj) or inspect.isfunction(obj))
    ]
    inside = [(ns, n) for ns, n in exporters if defined_in == ns or defined_in.startswith(ns + ".")]
    ns, n = max(inside, key=lambda pair: pair[0].count(".")) if inside else exporters[0]
    return f"{ns}.{n}"


@functools.cache
def aliases() -> dict[str, str]:
    """Every exported name that is not its object's home, mapped to the home."""
    out: dict[str, str] = {}
    for ns in PUBLIC_NAMESPACES:
        for name, _ in _exports(ns):
            home = home_of(ns, name)
            if home != f"{ns}.{name}":
                out[f"{ns}.{name}"] = home
    return out


def _kind(obj: Any) -> str:
    if inspect.isclass(obj) and issubclass(obj, BaseException):
        return "exception"
    if inspect.isclass(obj):
        return "class"
    if inspect.isfunction(obj):
        return "function"
    return "data"


def _entry_lines(namespace: str, name: str, obj: Any) -> list[str]:
    full_name = f"{namespace}.{name}"
    home = home_of(namespace, name)
    kind = _kind(obj)
    if home != full_name:
        # A short entry: the name resolves, and links to the one full description.
        return [
            f".. py:{kind}:: {name}",
            f"   :module: {namespace}",
            "   :no-index-entry:",
            "",
            f"   The same object as :py:obj:`{home}`, exported here too.",
            "",
        ]
    if kind == "data":
        doc = data_doc(namespace, name)
        return [
            f".. py:data:: {name}",
            f"   :module: {namespace}",
            "",
            *(f"   {line}" for line in doc),
            "",
        ]
    auto = {"exception": "autoexception", "class": "autoclass", "function": "autofunction"}[kind]
    options = ["   :members:", "   :show-inheritance:"] if kind != "function" else []
    return [f".. {auto}:: {full_name}", *options, ""]


def _parse_rst(directive: Directive, lines: list[str], source: str) -> list[nodes.Node]:
    """Parse generated reStructuredText, also when the page is MyST Markdown.

    MyST hands a directive a state that parses Markdown, so the text goes in an ``eval-rst``
    fence there; on a reStructuredText page it is parsed as is.
    """
    if type(directive.state).__module__.startswith("myst_parser"):
        lines = ["````{eval-rst}", *lines, "````"]
    node = nodes.section()
    node.document = directive.state.document
    nested_parse_with_titles(directive.state, StringList(lines, source=source), node)
    return node.children


class NamespaceDirective(Directive):
    """``sogni-namespace MODULE``: the module docstring and every name of its ``__all__``."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        namespace = self.arguments[0]
        lines = [f".. automodule:: {namespace}", ""]
        for name, obj in sorted(_exports(namespace), key=lambda pair: pair[0].lower()):
            lines += _entry_lines(namespace, name, obj)
        return _parse_rst(self, lines, namespace)


def _tree_lines(root: type, classes: list[type], prefix: str = "") -> list[str]:
    children = [c for c in classes if c.__bases__[0] is root]
    out: list[str] = []
    for index, child in enumerate(children):
        last = index == len(children) - 1
        extra = [b.__name__ for b in child.__bases__[1:]]
        note = f"   (also a {', '.join(extra)})" if extra else ""
        out.append(f"{prefix}{'└── ' if last else '├── '}{child.__name__}{note}")
        out += _tree_lines(child, classes, prefix + ("    " if last else "│   "))
    return out


class ErrorTreeDirective(Directive):
    """``sogni-error-tree``: each exception of ``sogni.errors.__all__`` under its first base."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        errors = importlib.import_module("sogni.errors")
        classes = [
            obj
            for _, obj in _exports("sogni.errors")
            if inspect.isclass(obj) and issubclass(obj, errors.SogniError)
        ]
        text = "\n".join(["SogniError", *_tree_lines(errors.SogniError, classes)])
        return [nodes.literal_block(text, text)]


class ParamNamesDirective(Directive):
    """``sogni-param-names``: ``PARAM_NAMES_TS`` as a table, with the types using each name."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        import attrs

        projects = importlib.import_module("sogni.projects")
        kinds = {
            "image": projects.ImageProjectParams,
            "video": projects.VideoProjectParams,
            "audio": projects.AudioProjectParams,
        }
        fields = {kind: {f.name for f in attrs.fields(cls)} for kind, cls in kinds.items()}
        lines = [
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 35 35 30",
            "",
            "   * - Python (``sogni``)",
            "     - TypeScript (``@sogni-ai/sogni-client``)",
            "     - project types",
        ]
        for py_name, ts_name in projects.PARAM_NAMES_TS.items():
            used = [kind for kind in kinds if py_name in fields[kind]] or ["nested"]
            lines += [f"   * - ``{py_name}``", f"     - ``{ts_name}``", f"     - {', '.join(used)}"]
        return _parse_rst(self, lines, "PARAM_NAMES_TS")


def _resolve_alias(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.Element | None:
    """``sogni.projects.ProjectsAPI.get`` -> ``sogni.projects.api.ProjectsAPI.get``."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    parts = target.split(".")
    table = aliases()
    for cut in range(len(parts), 0, -1):
        home = table.get(".".join(parts[:cut]))
        if home is not None:
            new_target = ".".join([home, *parts[cut:]])
            domain = env.domains["py"]
            return domain.resolve_xref(
                env, node["refdoc"], app.builder, node["reftype"], new_target, node, contnode
            )
    return None


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("missing-reference", _resolve_alias)
    app.add_directive("sogni-namespace", NamespaceDirective)
    app.add_directive("sogni-error-tree", ErrorTreeDirective)
    app.add_directive("sogni-param-names", ParamNamesDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
