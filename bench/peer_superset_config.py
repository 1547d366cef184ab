"""superset_config.py for `make bench-peer` (bench/peer.py points
SUPERSET_CONFIG_PATH here). Superset imports it in its own virtual env, so it
uses nothing of ours: the run's folder comes from PEER_SUPERSET_HOME and the
secret from PEER_SUPERSET_SECRET, both set by bench/peer.py.
"""

import os

_home = os.environ["PEER_SUPERSET_HOME"]

SECRET_KEY = os.environ["PEER_SUPERSET_SECRET"]
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_home}/superset.db"
SQLALCHEMY_EXAMPLES_URI = None

# Its best case, as ours is: chart data cached between views (shared by both
# gunicorn workers), so a warm view measures the dashboard, not the queries.
DATA_CACHE_CONFIG = {
    "CACHE_TYPE": "FileSystemCache",
    "CACHE_DIR": f"{_home}/data-cache",
    "CACHE_DEFAULT_TIMEOUT": 86400,
}
CACHE_CONFIG = {
    "CACHE_TYPE": "FileSystemCache",
    "CACHE_DIR": f"{_home}/cache",
    "CACHE_DEFAULT_TIMEOUT": 86400,
}

# No telemetry: the front end's pixel (apachesuperset.gateway.scarf.sh) is
# compiled into its bundle, so the page's content security policy leaves
# the host out and the browser refuses it (the benchmark also aborts every
# request that is not to loopback).
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
CONTENT_SECURITY_POLICY_WARNING = False

# the benchmark signs in and calls the API many times a second from one address
RATELIMIT_ENABLED = False
AUTH_RATE_LIMITED = False
WTF_CSRF_ENABLED = True
