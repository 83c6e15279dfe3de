"""Pages kept as rendered while the data under them is unchanged.

The dashboard counts every assignment (a quarter of a second on 100,000) and a unit's page
reads and renders its open assignments; many people ask for the same page between two changes.
A page is kept under its own key (who asks, what for, as of which day) *and* the database's
committed state (``models.data_version``): any commit, from this process or another (a
``dondoc`` command, a Prefect flow), gives a new state, and the page is computed again. Nothing
is shown that the database no longer says.

What differs between two people asking for the same page is not kept: the session's CSRF token
is put in when the page is sent (the kept HTML holds a placeholder), and a page with a message
for the person (a "flash"), an error, or asked as JSON is never kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from models.data_version import data_version
from models.db import get_engine
from web.render import TEMPLATES, page, wants_json

# Stands for the session's CSRF token in a kept page (letters only: autoescape leaves it be).
CSRF_SLOT = "dondocCsrfSlotXq7"
# Pages kept at most (the least recently shown go first): about 100 KB each.
MAX_PAGES = 256


class _Kept:
    """A small least-recently-used store, shared by the server's threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pages: OrderedDict[Hashable, str] = OrderedDict()
        self.lock = threading.Lock()
        self.making: dict[Hashable, threading.Lock] = {}  # pages being computed, by key

    @contextmanager
    def one_maker(self, key: Hashable) -> Iterator[None]:
        """Let one request at a time compute the page of ``key``: the others asking for it
        meanwhile wait and take the page it kept, instead of all computing it at once."""
        with self.lock:
            maker = self.making.setdefault(key, threading.Lock())
        with maker:
            yield
        with self.lock:
            if self.making.get(key) is maker and not maker.locked():
                del self.making[key]

    def get(self, key: Hashable) -> str | None:
        with self.lock:
            found = self.pages.get(key)
            if found is not None:
                self.pages.move_to_end(key)
            return found

    def put(self, key: Hashable, html: str) -> None:
        with self.lock:
            self.pages[key] = html
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()


_KEPT = _Kept(MAX_PAGES)

# What a page's producer returns: the template, its context, and the data for ?format=json.
Produced = tuple[str, dict[str, Any], Any]


def kept_page(
    request: Request,
    key: Hashable,
    produce: Callable[[], Produced],
    *,
    personal: tuple[str, ...] = ("flash",),
) -> Response:
    """The page ``produce`` makes, kept under ``key`` and the database's state. ``personal``:
    session entries that, when present, make this one request's page its own (not kept)."""
    from web.security import csrf_token

    own = wants_json(request) or any(request.session.get(name) for name in personal)
    version = None if own else request_version(request)
    if version is None:
        template, context, data = produce()
        return page(request, template, context, json=data)
    full_key = (key, version)
    html = _KEPT.get(full_key)
    if html is None:
        with _KEPT.one_maker(full_key):
            html = _KEPT.get(full_key)  # made while this request waited its turn
            if html is None:
                template, context, _ = produce()
                html = TEMPLATES.get_template(template).render(
                    {"request": request, "flash_lines": [], **context, "csrf": CSRF_SLOT}
                )
                _KEPT.put(full_key, html)
    return HTMLResponse(html.replace(CSRF_SLOT, csrf_token(request)))


_FACTS: OrderedDict[Hashable, Any] = OrderedDict()
_FACTS_LOCK = threading.Lock()
MAX_FACTS = 4096  # a signed-in person or an opened link: a few hundred bytes each


def request_version(request: Request) -> Hashable | None:
    """The database's state, read once per request, before anything the request shows is
    read (see models.data_version): the facts and the page of one request share it."""
    if not hasattr(request.state, "data_version"):
        request.state.data_version = data_version(get_engine())
    return request.state.data_version  # type: ignore[no-any-return]


def kept_fact(request: Request, key: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()`` (a small read: the signed-in person, the unit a link opens), kept under
    ``key`` and the database's state like the pages: a page shown from the store then asks
    the database nothing but its state, once. Not kept when the database gives no state."""
    version = request_version(request)
    if version is None:
        return compute()
    full_key = (key, version)
    with _FACTS_LOCK:
        if full_key in _FACTS:
            _FACTS.move_to_end(full_key)
            return _FACTS[full_key]
    value = compute()
    with _FACTS_LOCK:
        _FACTS[full_key] = value
        while len(_FACTS) > MAX_FACTS:
            _FACTS.popitem(last=False)
    return value


def forget_pages() -> None:
    """Forget every kept page and fact (``dondoc.caches.reset_caches``)."""
    _KEPT.clear()
    with _FACTS_LOCK:
        _FACTS.clear()


__all__ = ["CSRF_SLOT", "forget_pages", "kept_fact", "kept_page"]
