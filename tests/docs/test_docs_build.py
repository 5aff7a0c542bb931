"""The documentation builds with no warning, and its reference covers the whole public API."""

from __future__ import annotations

import html
import importlib
import inspect
import pkgutil
import re
import sys

from sphinx.util.inventory import InventoryFile

import sogni
import sogni.errors
import sogni.projects
import sogni_async

from .conftest import DOCS, BuiltDocs

sys.path.insert(0, str(DOCS / "_ext"))
import sogni_docs


def test_the_build_passes_with_warnings_as_errors(built_docs: BuiltDocs) -> None:
    assert built_docs.returncode == 0, built_docs.log
    assert "WARNING" not in built_docs.log and "ERROR" not in built_docs.log, built_docs.log


def test_every_public_module_has_a_reference_page() -> None:
    found = []
    for package in (sogni, sogni_async):
        found.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if any(part.startswith("_") for part in info.name.split(".")):
                continue
            if hasattr(importlib.import_module(info.name), "__all__"):
                found.append(info.name)
    missing = sorted(set(found) - set(sogni_docs.PUBLIC_NAMESPACES))
    assert not missing, f"public modules with no reference page: {missing}"
    listed = (DOCS / "reference").glob("*.md")
    pages = "\n".join(path.read_text(encoding="utf-8") for path in listed)
    for namespace in sogni_docs.PUBLIC_NAMESPACES:
        assert f"{{sogni-namespace}} {namespace}\n" in pages, namespace


def _entry_text(page: str, full_name: str) -> str:
    """The text of the description of ``full_name`` up to its first member."""
    start = page.find(f'id="{full_name}"')
    assert start >= 0, f"{full_name} has no anchor"
    dd = page.find("<dd>", start)
    end_candidates = [i for i in (page.find("<dl", dd), page.find("</dd>", dd)) if i >= 0]
    text = re.sub(r"<[^>]+>", " ", page[dd : min(end_candidates)])
    return " ".join(html.unescape(text).split())


def test_every_exported_name_has_a_rendered_entry_with_a_docstring(built_docs: BuiltDocs) -> None:
    assert built_docs.returncode == 0, built_docs.log
    with open(built_docs.out / "objects.inv", "rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda base, uri: uri)
    # Sphinx 9 gives items with a ``uri`` (unpacking them is deprecated), Sphinx 8 tuples.
    python_entries = {
        name: getattr(item, "uri", None) or item[2]
        for kind, entries in inventory.items()
        if kind.startswith("py:")
        for name, item in entries.items()
    }
    pages: dict[str, str] = {}
    problems = []
    checked = 0
    for namespace in sogni_docs.PUBLIC_NAMESPACES:
        module = importlib.import_module(namespace)
        for name in module.__all__:
            checked += 1
            full_name = f"{namespace}.{name}"
            home = sogni_docs.home_of(namespace, name)
            for entry in {full_name, home}:
                if entry not in python_entries:
                    problems.append(f"{entry}: no reference entry")
            if home not in python_entries:
                continue
            page_name = python_entries[home].split("#")[0].removesuffix(".html")
            if page_name not in pages:
                pages[page_name] = built_docs.page(page_name)
            text = _entry_text(pages[page_name], home)
            if len(text.split()) < 3:
                problems.append(f"{home}: empty description {text!r}")
            obj = getattr(module, name)
            if (inspect.isclass(obj) or inspect.isfunction(obj)) and not inspect.getdoc(obj):
                problems.append(f"{home}: no docstring")
    assert checked > 300
    assert not problems, "\n".join(problems)


def test_the_error_tree_is_drawn_from_sogni_errors(built_docs: BuiltDocs) -> None:
    page = html.unescape(re.sub(r"<[^>]+>", "", built_docs.page("errors")))
    tree = page[page.index("SogniError\n├──") :]
    errors = [
        obj
        for name in sogni.errors.__all__
        if inspect.isclass(obj := getattr(sogni.errors, name))
        and issubclass(obj, sogni.errors.SogniError)
        and obj is not sogni.errors.SogniError
    ]
    assert len(errors) > 30
    lines = tree.split("\n")
    for error in errors:
        line = next(line for line in lines if re.search(rf"── {error.__name__}\b", line))
        extra = [base.__name__ for base in error.__bases__[1:]]
        for base in extra:
            assert base in line, (error, line)


def test_the_migration_table_lists_every_typescript_name(built_docs: BuiltDocs) -> None:
    page = html.unescape(re.sub(r"<[^>]+>", "", built_docs.page("migrating")))
    rows = re.findall(r"^([\w.\[\]]+)\n+([\w.\[\]]+)\n+([a-z, ]+)$", page, re.MULTILINE)
    table = {python: ts for python, ts, _types in rows}
    assert len(sogni.projects.PARAM_NAMES_TS) > 100
    for python, ts in sogni.projects.PARAM_NAMES_TS.items():
        assert table.get(python) == ts, python
