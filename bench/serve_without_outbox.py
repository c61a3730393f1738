"""``openvet serve`` with the outbox write stubbed out: the "before" of what the outbox costs a request over HTTP
(``bench/delivery.py``). Benchmark only: no openvet server runs like this, since without its outbox row a write
fires no event.

    python bench/serve_without_outbox.py serve --host 127.0.0.1 --port 8001
"""

from __future__ import annotations

import sys

from openvet.store import records

records.record_event = lambda *args, **kwargs: None  # the engine's writer calls it through the module

from openvet.cli import app  # noqa: E402  (after the stub, as a reader of this file expects)

if __name__ == "__main__":
    sys.exit(app())
