"""The briefing's ``Sender`` as the settings give it, read when a document is rendered."""

from __future__ import annotations

from dondoc.settings import get_settings
from tasks.briefing_render.view import Sender


def current_sender() -> Sender:
    s = get_settings()
    return Sender(
        symbol=s.report_symbol,
        recipients=s.report_recipients,
        signer_title=s.report_signer_title,
        signer_name=s.report_signer_name,
    )
