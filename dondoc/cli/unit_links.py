"""``dondoc units link``: a unit's personal link, or revoking it."""

from __future__ import annotations

from typing import Annotated

import typer

from dondoc.cli.common import console, run
from models.base import utcnow
from services.database import ready_session
from services.unit_links import current_link, revoke, unit_by_code


def unit_link(
    code: Annotated[str, typer.Argument(metavar="MÃ_ĐƠN_VỊ", help="Mã đơn vị.")],
    revoke_all: Annotated[
        bool,
        typer.Option("--revoke", help="Thu hồi mọi liên kết cũ của đơn vị và cấp liên kết mới."),
    ] = False,
) -> None:
    """In liên kết riêng của đơn vị (cấp mới nếu chưa có hoặc đã hết hạn)."""

    def go() -> None:
        with ready_session() as session:
            unit = unit_by_code(session=session, code=code)
            assert unit.id is not None
            now = utcnow()
            if revoke_all:
                link = revoke(session=session, unit_id=unit.id, now=now)
            else:
                link = current_link(session=session, unit_id=unit.id, now=now)
            name = unit.name
        if revoke_all:
            console.print(f"Đã thu hồi các liên kết cũ của {name} ({code}); liên kết mới:")
        # Plain, unwrapped: the link is copied from here into a message.
        typer.echo(link.url)
        console.print(f"Hiệu lực đến {link.expires_at:%d/%m/%Y} (giờ UTC).", highlight=False)

    run(go)
