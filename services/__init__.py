"""The use cases the edges need (the CLI, the flows, the web app): one module per use case.

Each function is keyword-only, takes a session (or opens one on the configured database) and
plain values, returns a small typed result with ``to_json()``, and raises the domain errors
of ``tasks/errors.py``. The edges only parse, call one service, and print or render.
"""
