"""gunicorn settings for the portal's web processes (`gunicorn portal.wsgi`).

Workers default to two per CPU plus one; each request has `GUNICORN_TIMEOUT` seconds.
Workers are recycled now and then so a slow leak cannot grow for ever. The access
log holds the method, path (never the query string), status, size and duration:
no addresses, no personal data.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
# Workers fork from a master that has loaded the portal, so a recycled worker is
# ready at once instead of importing everything again.
preload_app = True
max_requests_jitter = max_requests // 10
# The load balancer in front terminates TLS and sets X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
