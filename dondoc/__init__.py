"""dondoc: theo dõi, đôn đốc thực hiện nhiệm vụ (directive follow-up engine)."""

import os

# No internet here and no wish to phone home: Prefect's telemetry stays off unless set.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

__version__ = "0.1.0"
