"""The inventory as one self-contained HTML page (``ftscan inventory --format html``): the
headline, a timeline of shutdown dates, the inventory table (sortable, filterable, each row
opening its sites) and a section per team, for the people who act on a sweep.

One file, nothing fetched when it is viewed (it opens from disk, a CI artifact, a static host):
the style and the script are inline, the fonts are the system's. What the page says
(:mod:`ftscan.reporters.inventory_page`) is rendered by Jinja2 with autoescape on; the data
the script works on is the JSON inventory (:func:`ftscan.reporters.inventory_json.document`),
embedded in a ``<script type="application/json">`` block by Jinja's ``tojson``, which escapes
``<``, ``>``, ``&`` and ``'``, so no text in it can end the block. Every string from a repository
or a provider first goes through :func:`ftscan.escape.terminal` (control and bidi characters
shown as escapes), and the script puts text into the page only as text. The page's
Content-Security-Policy allows its own style and script alone (by their SHA-256) and nothing
else, not even an inline event handler.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ftscan import __version__
from ftscan.escape import terminal
from ftscan.reporters import inventory_json
from ftscan.reporters.base import utf8_text
from ftscan.reporters.inventory_page import headline, row_views, teams

if TYPE_CHECKING:
    from jinja2 import Template

    from ftscan.inventory import Inventory

name = "html"
PAGE_START = '<!DOCTYPE html>\n<html lang="en" data-ftscan="inventory">\n'
"""How every page starts (a page is recognised by it, and by its data)."""
PAGE_END = "</html>\n"
DATA_ID = "ftscan-inventory"
_DATA_OPEN = f'<script type="application/json" id="{DATA_ID}">'
_COLUMNS = (("status", "Status"), ("model", "Fine-tune"), ("base", "Base model"),
            ("shutdown", "Shuts down"), ("owners", "Owners"), ("services", "Services"),
            ("repositories", "Repositories"), ("definitions", "Defs"), ("uses", "Uses"),
            ("recipe", "Recipe"))
_REMOTE_COLUMN = ("remote", "At the provider")


def render(inventory: Inventory, color: bool = False) -> str:
    """The page (see the module's docstring)."""
    views = row_views(inventory)
    style, script = _asset("report.css"), _asset("report.js")
    policy = (f"default-src 'none'; script-src '{_sha256(script)}'; "
              f"style-src '{_sha256(style)}'; base-uri 'none'; form-action 'none'")
    reconciled = inventory.reconciliation
    return _template().render(
        csp=_markup(policy), version=__version__, as_of=inventory.as_of.isoformat(),
        window_days=inventory.window_days, headline=headline(inventory), rows=views,
        teams=teams(views), reconciliation=reconciled,
        columns=_COLUMNS + ((_REMOTE_COLUMN,) if reconciled else ()), data_id=DATA_ID,
        data=_shown(inventory_json.document(inventory)), style=_markup(style),
        script=_markup(script)) + "\n"


def recognises(data: bytes) -> bool:
    """Is ``data`` a page :func:`render` wrote: its opening and end, and in its data block a
    JSON inventory?"""
    text = utf8_text(data)
    if text is None or not text.startswith(PAGE_START) or not text.endswith(PAGE_END):
        return False
    start = text.find(_DATA_OPEN)
    end = text.find("</script>", start)
    return start >= 0 and end >= 0 and inventory_json.recognises(
        text[start + len(_DATA_OPEN):end].encode("utf-8"))


@cache
def _template() -> Template:
    """The page's template, loaded once (Jinja2 is imported only for a page)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined
    from markupsafe import Markup

    def finalize(value: Any) -> Any:
        """Text from a repository or provider, with the characters that could control a
        terminal or reorder text shown as escapes (the template escapes it for HTML)."""
        return terminal(value) if isinstance(value, str) and not isinstance(value, Markup) \
            else value

    environment = Environment(loader=PackageLoader("ftscan.reporters", "html"), autoescape=True,
                              undefined=StrictUndefined, finalize=finalize,
                              keep_trailing_newline=False)
    environment.policies["json.dumps_kwargs"] = {"sort_keys": False}  # the tool's name first
    return environment.get_template("report.html.j2")


def _asset(filename: str) -> str:
    text = (resources.files("ftscan.reporters") / "html" / filename).read_text(encoding="utf-8")
    assert "</" not in text, f"{filename} would end its element early"
    return text


def _markup(text: str) -> Any:
    """The page's own policy, style or script, inlined as it is (not escaped: not data)."""
    from markupsafe import Markup

    return Markup(text)  # noqa: S704 - the package's own file, checked by _asset


def _sha256(text: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline element."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def _shown(value: Any) -> Any:
    """``value`` (a JSON document) with every string as the page shows it."""
    if isinstance(value, str):
        return terminal(value)
    if isinstance(value, list):
        return [_shown(item) for item in value]
    if isinstance(value, dict):
        return {key: _shown(item) for key, item in value.items()}
    return value
