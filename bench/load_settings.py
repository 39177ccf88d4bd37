"""Settings of the gunicorn that bench/load.py starts: the product's, plus the floor.

Never used by the product: gunicorn finds this module only because bench/load.py puts
bench/ on its path. It reads ``config.settings`` in development mode (DEBUG=1 in the
environment: development keys, PostgreSQL allowed) and then turns DEBUG off, as
``bench/benchdb.py`` does for the other benchmarks, so that Django keeps no query log
and shows no debug pages. The one addition is ``load_floor.FloorMiddleware`` (first, so
that everything after it sees the page's own path): requests under ``/bench-floor/`` run
the same view without opening sealed values or writing access events.
"""

from config.settings import *  # noqa: F403
from config.settings import MIDDLEWARE

DEBUG = False
MIDDLEWARE = ["load_floor.FloorMiddleware", *MIDDLEWARE]
