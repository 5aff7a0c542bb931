"""Sphinx configuration for the sogni documentation (``sphinx-build -W --keep-going -n docs out``)."""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(_HERE / "_ext"))
sys.path.insert(0, str(_HERE.parent))

import sogni  # noqa: E402

project = "sogni"
author = "sogni contributors"
copyright = "sogni contributors"  # noqa: A001 (Sphinx's setting name)
release = sogni.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sogni_docs",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = f"sogni {release}"
html_static_path: list[str] = []

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_class_signature = "separated"
autodoc_default_options = {"exclude-members": "__init__, __new__"}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# Every reference to a sogni object must resolve (nitpicky). The site is built offline, so there
# is no intersphinx inventory for the standard library or third-party packages: references to
# anything outside sogni are not checked.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(?!sogni\b|sogni_async\b).*"),
]
# Internal classes named in signatures (a private base class, a TypeVar) have no entry by design.
nitpick_ignore_regex.append((r"py:.*", r"sogni(_async)?(\.\w+)*\._\w+.*"))
# The same object is exported under several names (``sogni.Project``,
# ``sogni.projects.Project``); a short reference then matches all of them and Sphinx links the
# first, which is right whichever it is.
suppress_warnings = ["ref.python"]
