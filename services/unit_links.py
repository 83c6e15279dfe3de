"""The units' personal links: a token per link, stored only as its SHA-256.

The token is derived from the link's row and the site's secret key (HMAC), so every message
can carry the unit's current link without the token ever being stored: whoever holds the
database alone cannot rebuild a link, and a revoked or expired row opens nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, or_, update
from sqlmodel import Session, col, select

from dondoc.settings import get_settings
from models.unit import Unit
from models.web import UnitLink
from tasks.errors import NotFoundError

# 32 bytes of HMAC-SHA256 in URL-safe base64 without padding: 43 characters.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
# A message should not carry a link that dies before the unit reads it: a link this close to
# its end is replaced by a fresh one (the old one stays valid until it expires).
RENEW_BEFORE = timedelta(days=7)
# A page view records its time at most this often (a write per view would serialise readers).
TOUCH_EVERY = timedelta(hours=1)


@dataclass
class IssuedLink:
    """A unit's valid link, with its token (never stored)."""

    unit_id: int
    unit_code: str
    token: str
    url: str
    expires_at: datetime
    last_opened: datetime | None = None  # recorded at most once every TOUCH_EVERY

    def to_json(self) -> dict[str, Any]:
        return {
            "unit_code": self.unit_code,
            "url": self.url,
            "expires_at": self.expires_at.isoformat(),
            "last_opened": self.last_opened.isoformat() if self.last_opened else None,
        }


def _utc(moment: datetime) -> datetime:
    """Aware UTC: SQLite gives back naive UTC, PostgreSQL aware times, callers local times."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _secret() -> bytes:
    # Imported here: the sweep needs the key, not the web stack that keeps it.
    from web.security import secret_key

    return secret_key().encode()


def token_of(link: UnitLink) -> str:
    """The token of a link row: the same row always gives the same token."""
    created = _utc(link.created_at).replace(tzinfo=None).isoformat(timespec="seconds")
    message = f"unit-link:{link.id}:{link.unit_id}:{created}".encode()
    mac = hmac.new(_secret(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def hash_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token: str) -> str:
    """The address a unit opens: DONDOC_PUBLIC_URL + /u/ + token."""
    return f"{get_settings().public_url.rstrip('/')}/u/{token}"


def _issued(link: UnitLink, code: str) -> IssuedLink:
    token = token_of(link)
    assert link.id is not None
    return IssuedLink(
        unit_id=link.unit_id,
        unit_code=code,
        token=token,
        url=link_url(token),
        expires_at=_utc(link.expires_at),
        last_opened=_utc(link.last_used_at) if link.last_used_at else None,
    )


def _new_link(session: Session, unit_id: int, now: datetime) -> UnitLink:
    # Whole seconds: the token is derived from the creation time as the database returns it.
    created = _utc(now).replace(microsecond=0)
    link = UnitLink(
        unit_id=unit_id,
        # A unique placeholder until the row has the id its token is derived from.
        token_hash=f"pending-{secrets.token_hex(24)}",
        created_at=created,
        expires_at=created + timedelta(days=get_settings().link_days),
    )
    session.add(link)
    session.flush()
    link.token_hash = hash_of(token_of(link))
    session.add(link)
    session.flush()
    return link


def current_links(
    *, session: Session, unit_ids: Iterable[int], now: datetime
) -> dict[int, IssuedLink]:
    """Each unit's link to send now (one query for all): its newest valid link, or a new one
    when none is valid for at least a week more."""
    wanted = sorted(set(unit_ids))
    if not wanted:
        return {}
    moment = _utc(now)
    codes = dict(
        session.exec(select(col(Unit.id), col(Unit.code)).where(col(Unit.id).in_(wanted))).all()
    )
    rows = session.exec(
        select(UnitLink)
        .where(
            col(UnitLink.unit_id).in_(wanted),
            col(UnitLink.revoked_at).is_(None),
            col(UnitLink.expires_at) > moment + RENEW_BEFORE,
        )
        .order_by(col(UnitLink.created_at), col(UnitLink.id))
    ).all()
    newest = {link.unit_id: link for link in rows}  # ordered: the last one wins
    out: dict[int, IssuedLink] = {}
    for unit_id in wanted:
        if unit_id not in codes:
            continue
        link = newest.get(unit_id) or _new_link(session, unit_id, moment)
        out[unit_id] = _issued(link, codes[unit_id])
    return out


def valid_link(*, session: Session, unit_id: int, now: datetime) -> IssuedLink | None:
    """The unit's newest link still valid at ``now`` (None: none), issuing nothing."""
    moment = _utc(now)
    link = session.exec(
        select(UnitLink)
        .where(
            UnitLink.unit_id == unit_id,
            col(UnitLink.revoked_at).is_(None),
            col(UnitLink.expires_at) > moment,
        )
        .order_by(col(UnitLink.created_at).desc(), col(UnitLink.id).desc())
    ).first()
    unit = session.get(Unit, unit_id) if link is not None else None
    return _issued(link, unit.code) if link is not None and unit is not None else None


def link_urls(*, session: Session, unit_ids: Iterable[int | None], now: datetime) -> dict[int, str]:
    """The address each unit's messages end with (the outbox renders digests with these)."""
    wanted = [u for u in unit_ids if u is not None]
    return {
        u: link.url for u, link in current_links(session=session, unit_ids=wanted, now=now).items()
    }


def current_link(*, session: Session, unit_id: int, now: datetime) -> IssuedLink:
    """The unit's link to send now (a new one when none is valid long enough)."""
    links = current_links(session=session, unit_ids=[unit_id], now=now)
    if unit_id not in links:
        raise NotFoundError(f"Không có đơn vị mã số {unit_id}.")
    return links[unit_id]


def open_link(*, session: Session, token: str, now: datetime) -> tuple[Unit, UnitLink] | None:
    """The unit a token opens and its link row; None for an expired, revoked, unknown or
    malformed token. Nothing is written (a page records the visit with ``VISITS``)."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    moment = _utc(now)
    # The lookup is by the token's hash (a unique index): timing reveals nothing of the token.
    link = session.exec(select(UnitLink).where(UnitLink.token_hash == hash_of(token))).first()
    if link is None or not still_valid(link, moment):
        return None
    unit = session.get(Unit, link.unit_id)
    return None if unit is None else (unit, link)


def still_valid(link: UnitLink, now: datetime) -> bool:
    """Not revoked, and not expired at ``now``."""
    return link.revoked_at is None and _utc(link.expires_at) > _utc(now)


def unit_for_token(
    *, session: Session, token: str, now: datetime, touch: bool = True
) -> Unit | None:
    """The unit a token opens; None for an expired, revoked, unknown or malformed token.
    ``touch``: record the visit now (at most once an hour), in this transaction."""
    opened = open_link(session=session, token=token, now=now)
    if opened is None:
        return None
    unit, link = opened
    moment = _utc(now)
    if touch and _visit_due(link.last_used_at, moment):
        link.last_used_at = moment
        session.add(link)
        session.flush()
    return unit


def _visit_due(last: datetime | None, moment: datetime) -> bool:
    return last is None or moment - _utc(last) >= TOUCH_EVERY


class Visits:
    """Links opened, written to the database in one batch at most once every ``every``
    (``FLUSH_EVERY``) rather than one write per page view: a write is a commit, and every
    commit makes the web pages kept in ``web.page_cache`` be computed again. A visit is
    recorded at most once every TOUCH_EVERY per link, as before; what a stop of the process
    loses is at most the visits of the last minute (the server writes them when it stops)."""

    def __init__(self, every: timedelta) -> None:
        self.every = every
        self.pending: dict[str, datetime] = {}  # token hash → when it was opened
        self.since: datetime | None = None  # the oldest visit not written
        self.lock = threading.Lock()

    def note(self, link: UnitLink, now: datetime) -> None:
        """A page opened ``link`` at ``now``: remember it if its visit is due."""
        moment = _utc(now)
        if not _visit_due(link.last_used_at, moment):
            return
        with self.lock:
            if link.token_hash not in self.pending:
                self.pending[link.token_hash] = moment
                self.since = self.since or moment

    def due(self, now: datetime) -> bool:
        """Whether the visits noted are to be written now."""
        with self.lock:
            return self.since is not None and _utc(now) - self.since >= self.every

    def take(self) -> dict[str, datetime]:
        with self.lock:
            taken, self.pending, self.since = self.pending, {}, None
        return taken

    def write(self, session: Session, taken: dict[str, datetime]) -> int:
        """Write the visits ``take()`` gave, in the session's transaction (one statement run
        for all of them); a link revoked or visited since keeps what it has."""
        if not taken:
            return 0
        statement = (
            update(UnitLink)
            .where(
                col(UnitLink.token_hash) == bindparam("visited_hash"),
                col(UnitLink.revoked_at).is_(None),
                or_(
                    col(UnitLink.last_used_at).is_(None),
                    col(UnitLink.last_used_at) <= bindparam("visited_before"),
                ),
            )
            .values(last_used_at=bindparam("visited_at"))
            .execution_options(synchronize_session=False)
        )
        session.connection().execute(
            statement,
            [
                {"visited_hash": h, "visited_at": m, "visited_before": m - TOUCH_EVERY}
                for h, m in taken.items()
            ],
        )
        return len(taken)


FLUSH_EVERY = timedelta(seconds=60)
VISITS = Visits(FLUSH_EVERY)


def unit_by_code(*, session: Session, code: str) -> Unit:
    """The unit with this code; a clear error otherwise."""
    unit = session.exec(select(Unit).where(Unit.code == code.strip())).first()
    if unit is None:
        raise NotFoundError(f"Không có đơn vị mã «{code}» trong danh mục.")
    return unit


def revoke(*, session: Session, unit_id: int, now: datetime) -> IssuedLink:
    """Revoke every link of the unit and issue a new one."""
    moment = _utc(now)
    links = session.exec(
        select(UnitLink).where(UnitLink.unit_id == unit_id, col(UnitLink.revoked_at).is_(None))
    ).all()
    for link in links:
        link.revoked_at = moment
        session.add(link)
    session.flush()
    return current_link(session=session, unit_id=unit_id, now=moment)


__all__ = [
    "IssuedLink",
    "current_link",
    "current_links",
    "hash_of",
    "link_url",
    "link_urls",
    "revoke",
    "token_of",
    "unit_by_code",
    "unit_for_token",
]
