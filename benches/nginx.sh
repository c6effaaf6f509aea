#!/usr/bin/env bash
# Starts nginx as a stand-in for TIP's endpoint, for `SERVER=nginx
# benches/bulk.sh`: issue 6's reference figures (wrk ~7,400 req/s, curl
# --parallel ~370 req/s) were measured against nginx with TLS and basic auth.
#
#   benches/nginx.sh TLS_DIR WORK_DIR PORT NO_CERT_PORT [HASH=apr1|plain]
#
# TLS_DIR holds the simulator's files (ca.pem, server.pem, server-key.pem).
# PORT requires a client certificate signed by that CA, like TAE;
# NO_CERT_PORT does not (for wrk, which cannot present one). Both check
# basic auth (demo/demo) and answer a PUT to the rescan endpoint with 200
# and a small JSON body: nginx's static handler refuses PUT with 405, and
# `error_page 405 =200` turns that into the answer, after the access phase
# (auth) has run. (`return 200` would answer before auth is checked.)
# Writes WORK_DIR/nginx.pid; stop it with `kill $(cat WORK_DIR/nginx.pid)`.
set -euo pipefail
tls=$1 work=$2 port=$3 no_cert_port=$4 hash=${5:-apr1}
mkdir -p "$work/www" "$work/tmp"
printf '{"status":"rescan started"}\n' >"$work/www/ok.json"
case $hash in
  apr1) printf 'demo:%s\n' "$(openssl passwd -apr1 demo)" >"$work/htpasswd" ;;
  plain) printf 'demo:{PLAIN}demo\n' >"$work/htpasswd" ;;
  *) echo "HASH must be apr1 or plain" >&2; exit 2 ;;
esac
server() { # $1 = port, $2 = ssl_verify_client value
  cat <<CONF
  server {
    listen 127.0.0.1:$1 ssl;
    ssl_certificate $tls/server.pem;
    ssl_certificate_key $tls/server-key.pem;
    ssl_client_certificate $tls/ca.pem;
    ssl_verify_client $2;
    location /api/attribution/tasks/file_from_url/ {
      auth_basic "TIP";
      auth_basic_user_file $work/htpasswd;
      root $work/www;
      error_page 405 =200 /ok.json;
    }
    location = /ok.json { root $work/www; default_type application/json; }
  }
CONF
}
# Workers run as the invoking user, so they can read the temporary files
# (nginx started by root would otherwise switch them to nobody).
cat >"$work/nginx.conf" <<CONF
user $(id -un) $(id -gn);
worker_processes 2;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/tmp;
$(server "$port" on)
$(server "$no_cert_port" off)
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
for _ in $(seq 1 100); do [ -s "$work/nginx.pid" ] && break; sleep 0.05; done
[ -s "$work/nginx.pid" ] || { cat "$work/error.log"; exit 1; }
