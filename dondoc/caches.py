"""The one way to forget what the process has cached: after a change of the environment
(tests, ``dondoc demo``) call :func:`reset_caches`.

What is cached, once per process:

* the settings (:func:`dondoc.settings.get_settings`, and the copy that follows the
  environment, :func:`dondoc.settings.current_settings`);
* the working calendar (``tasks.calendar.default_calendar``) and the escalation policy
  (``tasks.reminders.default_policy``), both read from files the settings name;
* the database engines, one per URL (``models.db._engine_for``), and the SQLite connections
  that watch for commits (``models.data_version``);
* the web pages kept while the data under them is unchanged (``web.page_cache``);
* Zalo: the Prefect Secret blocks looked up (``notifications.secrets.clear_cache``) and the
  rate limiter's bucket.

``tasks.outbox._claim_statement`` is left alone: it is a statement built once per SQL dialect
and depends on no setting.

Only modules already imported are reset: one that was never imported has nothing cached, and
importing it here would load Prefect, the database layer and Apprise into every caller.
"""

from __future__ import annotations

import sys

from dondoc.settings import forget_current_settings, get_settings


def reset_caches() -> None:
    """Clear every process-wide cache listed above; the next use reads settings and files anew.

    Engines are forgotten, not disposed: a caller still holding one keeps a working engine.
    """
    get_settings.cache_clear()
    forget_current_settings()
    calendar = sys.modules.get("tasks.calendar")
    if calendar is not None:
        calendar.default_calendar.cache_clear()
    reminders = sys.modules.get("tasks.reminders")
    if reminders is not None:
        reminders.default_policy.cache_clear()
    db = sys.modules.get("models.db")
    if db is not None:
        db._engine_for.cache_clear()
    versions = sys.modules.get("models.data_version")
    if versions is not None:
        versions.forget_watchers()
    pages = sys.modules.get("web.page_cache")
    if pages is not None:
        pages.forget_pages()
    secrets = sys.modules.get("notifications.secrets")
    if secrets is not None:
        secrets.clear_cache()
    ratelimit = sys.modules.get("notifications.zalo_ratelimit")
    if ratelimit is not None:
        ratelimit.reset_rate_limiter()


__all__ = ["reset_caches"]
