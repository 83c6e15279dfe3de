"""dondoc: theo dõi, đôn đốc thực hiện nhiệm vụ (directive follow-up engine)."""

import os

# No internet here and no wish to phone home: Prefect's telemetry stays off unless set.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# Prefect's temporary server gives up after 20 s; on a loaded 2-core machine it needs more.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

__version__ = "0.1.0"
