# What scripts/test.sh and scripts/demo.sh install on a fresh machine (sourced, not run).

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

redis_answers() {
  # PING over bash's /dev/tcp, so no redis-cli is needed to ask.
  { exec 3<>/dev/tcp/127.0.0.1/6379; } 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  local reply=""
  read -r -t 2 reply <&3 || true
  exec 3<&- 3>&-
  [[ "$reply" == +PONG* ]]
}

ensure_redis() {
  redis_answers && return 0
  if ! command -v redis-server >/dev/null; then
    echo "test: installing redis-server"
    apt_install redis-server
  fi
  echo "test: starting redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 50); do redis_answers && return 0; sleep 0.1; done
  echo "test: Redis does not answer on 127.0.0.1:6379 after starting it" >&2
  return 1
}

ensure_bubblewrap() {
  command -v bwrap >/dev/null && return 0
  echo "test: installing bubblewrap"
  apt_install bubblewrap
}

ensure_tmux() {
  # The terminal test watches `swarm run`'s progress lines change in a real terminal.
  command -v tmux >/dev/null && return 0
  echo "test: installing tmux"
  apt_install tmux
}

ensure_pytest() {
  # The Python fixture's checks run Debian's python3 in the sandbox, which sees only the system's /usr.
  /usr/bin/python3 -c "import pytest" 2>/dev/null && return 0
  echo "test: installing python3-pytest"
  apt_install python3-pytest
}

ensure_go() {
  # The Go fixture's checks need a go the sandbox can see (on its PATH under /usr).
  [ -x /usr/bin/go ] || [ -x /usr/local/bin/go ] && return 0
  echo "test: installing golang-go"
  apt_install golang-go
}

ensure_chromium() {
  # The report test opens report.html in headless Chromium and checks what it rendered.
  command -v chromium >/dev/null && return 0
  echo "test: installing chromium"
  apt_install chromium
}
