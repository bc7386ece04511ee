#!/bin/sh
# The default user, password and virtual host from the environment, as the official image takes them; logs to stdout;
# the broker's schedulers do not busy-wait (as scripts/stack.sh runs it: docs/performance.md).
set -e
if [ "$1" = rabbitmq-server ]; then
  cat >/etc/rabbitmq/rabbitmq.conf <<CONF
loopback_users = none
listeners.tcp.default = 5672
management.tcp.port = 15672
log.console = true
log.console.level = info
log.file = false
default_user = ${RABBITMQ_DEFAULT_USER:-guest}
default_pass = ${RABBITMQ_DEFAULT_PASS:-guest}
default_vhost = ${RABBITMQ_DEFAULT_VHOST:-/}
CONF
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="+sbwt none +sbwtdcpu none +sbwtdio none"
  chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
  # Debian's /usr/sbin/rabbitmq-server would send the logs to a file and stay in between as a shell; the broker's own
  # script, run as rabbitmq with setpriv (which execs, as gosu does in the official image), logs to stdout and is
  # process 1, so docker stop's SIGTERM stops the broker cleanly.
  shift
  cd /var/lib/rabbitmq
  exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups env HOME=/var/lib/rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-server "$@"
fi
exec "$@"
