#!/usr/bin/env bash
# Starts (or stops) two ClickHouse servers on loopback, shards of the cluster "seqhunt_two_shards".
# Usage: scripts/clickhouse.sh start|stop [dir]   (dir defaults to $TMPDIR/seqhunt-clickhouse)
# Ports: HTTP 18123/18124, native 19000/19001. User "default" (no password) and "seqhunt" (password "hunter2").
# Queries are logged to system.query_log (the ClickHouse benchmark reads each server's share of the work there).
set -euo pipefail
action=${1:-start}
root=${2:-${TMPDIR:-/tmp}/seqhunt-clickhouse}
server=$(command -v clickhouse-server || echo /usr/bin/clickhouse-server)

write_config() {
  local n=$1 http=$2 tcp=$3 inter=$4 dir="$root/s$1"
  mkdir -p "$dir/data/" "$dir/tmp/" "$dir/user_files/" "$dir/log/"
  cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/log/server.log</log><errorlog>$dir/log/error.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <interserver_http_port>$inter</interserver_http_port>
  <max_concurrent_queries>100</max_concurrent_queries>
  <mark_cache_size>536870912</mark_cache_size>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <query_log><database>system</database><table>query_log</table><flush_interval_milliseconds>1000</flush_interval_milliseconds></query_log>
  <remote_servers>
    <seqhunt_two_shards>
      <shard><replica><host>127.0.0.1</host><port>19000</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>19001</port></replica></shard>
    </seqhunt_two_shards>
  </remote_servers>
</yandex>
XML
  cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>8000000000</max_memory_usage><log_queries>1</log_queries></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
    <seqhunt><password>hunter2</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></seqhunt>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
}

# Node is always here (curl may not be): exit 0 when the server answers /ping.
ping_port() {
  node -e "fetch('http://127.0.0.1:$1/ping').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
}

# Pids of servers started with this config (read from /proc: pgrep is not on every machine).
servers_of() {
  local p cmd
  for p in /proc/[0-9]*; do
    cmd=$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
    if [[ $cmd == *clickhouse-server*"--config-file=$1"* ]]; then echo "${p#/proc/}"; fi
  done
  return 0
}

case "$action" in
start)
  [ -x "$server" ] || { echo "clickhouse-server is not installed (apt-get install clickhouse-server)" >&2; exit 1; }
  write_config 1 18123 19000 19009
  write_config 2 18124 19001 19010
  for n in 1 2; do
    dir="$root/s$n"
    if ping_port $((18122 + n)); then continue; fi
    # exec: no shell stays behind holding the caller's stdout open (a caller waiting on it would hang).
    (cd "$dir" && exec nohup "$server" --config-file="$dir/config.xml") </dev/null >"$dir/log/stdout.log" 2>&1 &
  done
  for port in 18123 18124; do
    for _ in $(seq 1 150); do
      if ping_port "$port"; then break; fi
      sleep 0.2
    done
    ping_port "$port" || { echo "clickhouse on $port did not start" >&2; cat "$root"/s*/log/*.log >&2 || true; exit 1; }
  done
  echo "clickhouse: two servers up (http 18123, 18124)"
  ;;
stop)
  for n in 1 2; do
    config="$root/s$n/config.xml"
    for _ in $(seq 1 100); do
      pids=$(servers_of "$config")
      [ -z "$pids" ] && break
      kill $pids 2>/dev/null || true
      sleep 0.1
    done
  done
  ;;
*) echo "usage: $0 start|stop [dir]" >&2; exit 2 ;;
esac
