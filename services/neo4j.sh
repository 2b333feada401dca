#!/usr/bin/env bash
# Local Neo4j 5.26 Community server with the open Graph Data Science plugin,
# built from Maven Central jars (services/neo4j/pom.xml). Needs only Java 17/21
# (a JDK: javac builds the tiny Bolt probe) and Maven.
#
#   services/neo4j.sh install   fetch the jars into .services/neo4j/home (idempotent)
#   services/neo4j.sh start     install if needed, start, wait until Bolt answers an
#                               authenticated query (idempotent)
#   services/neo4j.sh stop      stop the pid this script started
#   services/neo4j.sh status    pid, Bolt reachability, server and GDS versions
#   services/neo4j.sh env       NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD lines for .services/env
#                               (services/up.sh); refuses to write them to a terminal
#
# Environment:
#   NEO4J_BOLT_PORT (7687)  NEO4J_HTTP_PORT (7474)   both bound to 127.0.0.1 only
#   NEO4J_PASSWORD          password of user "neo4j"; if unset one is generated once
#                           into .services/neo4j/password (mode 600) and reused.
#                           It takes effect when the database is first created;
#                           to change it later, stop and delete .services/neo4j/data.
#   NEO4J_HEAP (2g)  NEO4J_PAGECACHE (1g)  NEO4J_START_TIMEOUT (120, seconds)
#   JAVA_HOME               a JDK 17 or 21 (default: the java on PATH)
#
# Layout under .services/neo4j/: home/{lib,plugins} (jars), conf/, data/, logs/,
# run/neo4j.pid, import/, tools/ (the compiled Bolt probe), password.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$ROOT_DIR/services/neo4j/pom.xml"
SVC_DIR="$ROOT_DIR/.services/neo4j"
NEO4J_HOME_DIR="$SVC_DIR/home"
CONF_DIR="$SVC_DIR/conf"
DATA_DIR="$SVC_DIR/data"
LOGS_DIR="$SVC_DIR/logs"
RUN_DIR="$SVC_DIR/run"
IMPORT_DIR="$SVC_DIR/import"
TOOLS_DIR="$SVC_DIR/tools"
PID_FILE="$RUN_DIR/neo4j.pid"
PASSWORD_FILE="$SVC_DIR/password"
INSTALL_STAMP="$NEO4J_HOME_DIR/.installed"
MAIN_CLASS="org.neo4j.server.CommunityEntryPoint"

BOLT_PORT="${NEO4J_BOLT_PORT:-7687}"
HTTP_PORT="${NEO4J_HTTP_PORT:-7474}"
HEAP="${NEO4J_HEAP:-2g}"
PAGECACHE="${NEO4J_PAGECACHE:-1g}"
START_TIMEOUT="${NEO4J_START_TIMEOUT:-120}"

log() { printf '[neo4j] %s\n' "$*"; }
die() { printf '[neo4j] error: %s\n' "$*" >&2; exit 1; }

find_java() {
  local java
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    java="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    java="$(command -v java)"
  else
    die "no java found: install a JDK 17 (or 21), or set JAVA_HOME"
  fi
  local version
  version="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
  [[ "$version" == 17 || "$version" == 21 ]] \
    || die "Neo4j 5.26 needs Java 17 or 21; $java is Java ${version:-unknown} (set JAVA_HOME)"
  JAVA="$java"
  JAVAC="$(dirname "$(readlink -f "$java")")/javac"
}

# ---------------------------------------------------------------- install

install_stamp_value() {
  # Changes whenever the pom (versions, layout) changes.
  sha256sum "$POM" | cut -d' ' -f1
}

is_installed() {
  [[ -f "$INSTALL_STAMP" && "$(cat "$INSTALL_STAMP")" == "$(install_stamp_value)" ]] \
    && compgen -G "$NEO4J_HOME_DIR/lib/neo4j-kernel-*.jar" >/dev/null \
    && compgen -G "$NEO4J_HOME_DIR/plugins/proc-[0-9]*.jar" >/dev/null
}

cmd_install() {
  if is_installed; then
    log "already installed in ${NEO4J_HOME_DIR#"$ROOT_DIR"/}"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is not installed"
  find_java
  log "fetching Neo4j + GDS jars with Maven (uses ~/.m2 as cache)..."
  # A changed pom must not leave old jars behind: start from empty folders.
  rm -rf "${NEO4J_HOME_DIR:?}/lib" "${NEO4J_HOME_DIR:?}/plugins" "$INSTALL_STAMP"
  mkdir -p "$NEO4J_HOME_DIR"
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$JAVA")")")" \
    mvn -B -q -f "$POM" package -Dneo4j.home="$NEO4J_HOME_DIR" \
    || die "Maven could not fetch the jars (see above)"
  install_stamp_value >"$INSTALL_STAMP"
  local -a lib_jars=("$NEO4J_HOME_DIR"/lib/*.jar) plugin_jars=("$NEO4J_HOME_DIR"/plugins/*.jar)
  log "installed: ${#lib_jars[@]} jars in lib/, ${#plugin_jars[@]} in plugins/"
}

# ---------------------------------------------------------------- password

# Sets NEO4J_PASSWORD (never printed).
load_password() {
  if [[ -n "${NEO4J_PASSWORD:-}" ]]; then
    return 0
  fi
  if [[ ! -s "$PASSWORD_FILE" ]]; then
    mkdir -p "$SVC_DIR"
    local pw
    pw="$(head -c 48 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9' | cut -c1-24)"
    (umask 077 && printf '%s\n' "$pw" >"$PASSWORD_FILE")
    log "generated a password for user neo4j in ${PASSWORD_FILE#"$ROOT_DIR"/}"
  fi
  chmod 600 "$PASSWORD_FILE"
  NEO4J_PASSWORD="$(head -n 1 "$PASSWORD_FILE")"
  [[ -n "$NEO4J_PASSWORD" ]] || die "$PASSWORD_FILE is empty"
}

# The initial password only counts before the system database exists.
set_initial_password() {
  if [[ -d "$DATA_DIR/databases/system" || -f "$DATA_DIR/dbms/auth.ini" ]]; then
    return 0
  fi
  ((${#NEO4J_PASSWORD} >= 8)) || die "NEO4J_PASSWORD must have at least 8 characters"
  # Hand the password over in a picocli @argument file, not on the command line.
  local argfile escaped
  argfile="$(umask 077 && mktemp "$RUN_DIR/pw.XXXXXX")"
  escaped="${NEO4J_PASSWORD//\\/\\\\}"
  escaped="${escaped//\"/\\\"}"
  printf '"%s"\n' "$escaped" >"$argfile"
  local rc=0
  NEO4J_HOME="$NEO4J_HOME_DIR" NEO4J_CONF="$CONF_DIR" \
    "$JAVA" -Xmx256m -cp "$NEO4J_HOME_DIR/lib/*" org.neo4j.cli.AdminTool \
    dbms set-initial-password "@$argfile" >"$LOGS_DIR/set-initial-password.log" 2>&1 || rc=$?
  rm -f "$argfile"
  if ((rc != 0)); then
    cat "$LOGS_DIR/set-initial-password.log" >&2
    die "setting the initial password failed"
  fi
}

# ---------------------------------------------------------------- config

write_config() {
  mkdir -p "$CONF_DIR" "$DATA_DIR" "$LOGS_DIR" "$RUN_DIR" "$IMPORT_DIR"
  cat >"$CONF_DIR/neo4j.conf" <<EOF
# Written by services/neo4j.sh on every start; edits are overwritten.
server.directories.lib=$NEO4J_HOME_DIR/lib
server.directories.plugins=$NEO4J_HOME_DIR/plugins
server.directories.data=$DATA_DIR
server.directories.logs=$LOGS_DIR
server.directories.run=$RUN_DIR
server.directories.import=$IMPORT_DIR

server.default_listen_address=127.0.0.1
server.default_advertised_address=127.0.0.1
server.bolt.enabled=true
server.bolt.listen_address=127.0.0.1:$BOLT_PORT
server.bolt.advertised_address=127.0.0.1:$BOLT_PORT
server.bolt.tls_level=DISABLED
server.http.enabled=true
server.http.listen_address=127.0.0.1:$HTTP_PORT
server.http.advertised_address=127.0.0.1:$HTTP_PORT
server.https.enabled=false

dbms.security.auth_enabled=true
dbms.security.procedures.unrestricted=gds.*
dbms.security.procedures.allowlist=gds.*

# -Xms/-Xmx are passed by services/neo4j.sh; these lines only document them.
server.memory.heap.initial_size=$HEAP
server.memory.heap.max_size=$HEAP
server.memory.pagecache.size=$PAGECACHE

# A development server: no usage reports, short transaction log retention.
dbms.usage_report.enabled=false
db.tx_log.rotation.retention_policy=1 days 512M
EOF
}

# ---------------------------------------------------------------- process

read_pid() {
  if [[ -f "$PID_FILE" ]]; then
    head -n 1 "$PID_FILE"
  fi
}

# True if $1 is alive and is the server of this checkout (guards against pid reuse).
is_our_pid() {
  local pid="$1"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  local cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmdline" == *"$MAIN_CLASS"* && "$cmdline" == *"--config-dir=$CONF_DIR"* ]]
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The Bolt probe: a few lines of Java on the server's own driver jar (lib/).
build_probe() {
  local src="$TOOLS_DIR/BoltProbe.java" want have
  mkdir -p "$TOOLS_DIR"
  want="$(
    cat <<'JAVA'
import java.util.concurrent.TimeUnit;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.neo4j.driver.Session;
import org.neo4j.driver.exceptions.AuthenticationException;
import org.neo4j.driver.exceptions.ServiceUnavailableException;

/** Exit 0: authenticated query ok; 2: authentication refused; 3: unreachable; 1: other. */
public class BoltProbe {
    public static void main(String[] args) {
        String uri = args[0];
        boolean info = args.length > 1 && args[1].equals("info");
        String user = System.getenv().getOrDefault("NEO4J_USER", "neo4j");
        String password = System.getenv("NEO4J_PASSWORD");
        Config config = Config.builder()
                .withoutEncryption()
                .withLogging(Logging.none())
                .withConnectionTimeout(5, TimeUnit.SECONDS)
                .withMaxConnectionPoolSize(1)
                .build();
        int code;
        try (Driver driver = GraphDatabase.driver(uri, AuthTokens.basic(user, password), config);
                Session session = driver.session()) {
            session.run("RETURN 1").consume();
            if (info) {
                var server = session.run("CALL dbms.components() YIELD name, versions, edition "
                                + "RETURN name + ' ' + versions[0] + ' ' + edition AS v")
                        .single().get("v").asString();
                String gds;
                try {
                    gds = session.run("RETURN gds.version() AS v").single().get("v").asString();
                } catch (RuntimeException e) {
                    gds = "unavailable (" + e.getMessage() + ")";
                }
                System.out.println("server: " + server);
                System.out.println("gds:    " + gds);
            }
            code = 0;
        } catch (AuthenticationException e) {
            System.err.println("authentication failed: " + e.getMessage());
            code = 2;
        } catch (ServiceUnavailableException e) {
            System.err.println("unreachable: " + e.getMessage());
            code = 3;
        } catch (RuntimeException e) {
            System.err.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            code = 1;
        }
        System.exit(code);
    }
}
JAVA
  )"
  have="$(cat "$src" 2>/dev/null || true)"
  if [[ "$want" != "$have" || ! -f "$TOOLS_DIR/BoltProbe.class" || "$INSTALL_STAMP" -nt "$TOOLS_DIR/BoltProbe.class" ]]; then
    [[ -x "$JAVAC" ]] || die "javac not found next to $JAVA: a JDK is needed, not a JRE"
    printf '%s\n' "$want" >"$src"
    "$JAVAC" -nowarn -cp "$NEO4J_HOME_DIR/lib/*" -d "$TOOLS_DIR" "$src" \
      || die "could not compile the Bolt probe"
  fi
}

# probe [info] -> exit code of BoltProbe
probe() {
  NEO4J_PASSWORD="$NEO4J_PASSWORD" NEO4J_USER=neo4j \
    "$JAVA" -Xmx64m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -cp "$TOOLS_DIR:$NEO4J_HOME_DIR/lib/*" BoltProbe "bolt://127.0.0.1:$BOLT_PORT" "$@"
}

# Byte sizes of the logs before a start, so a failure shows only what this start wrote.
LOG_FILES=(console.log neo4j.log debug.log)
declare -A LOG_OFFSETS=()
mark_logs() {
  local f
  for f in "${LOG_FILES[@]}"; do
    LOG_OFFSETS[$f]="$(stat -c %s "$LOGS_DIR/$f" 2>/dev/null || echo 0)"
  done
}

show_log_tail() {
  local f new
  for f in "${LOG_FILES[@]}"; do
    [[ -f "$LOGS_DIR/$f" ]] || continue
    new="$(tail -c "+$((${LOG_OFFSETS[$f]:-0} + 1))" "$LOGS_DIR/$f" | tail -n 40)"
    [[ -n "$new" ]] || continue
    printf -- '----- %s (last lines written by this start) -----\n%s\n' "${LOGS_DIR#"$ROOT_DIR"/}/$f" "$new" >&2
  done
}

# Wait until Bolt answers an authenticated query; $1 = pid of the server.
wait_ready() {
  local pid="$1" start=$SECONDS rc
  while ((SECONDS - start < START_TIMEOUT)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      show_log_tail
      die "the server (pid $pid) exited during start-up"
    fi
    if port_open "$BOLT_PORT"; then
      rc=0
      probe 2>"$RUN_DIR/probe.err" || rc=$?
      case "$rc" in
        0) return 0 ;;
        2)
          cat "$RUN_DIR/probe.err" >&2
          die "Bolt refuses the password: the database in ${DATA_DIR#"$ROOT_DIR"/} was created with another one (server left running; 'services/neo4j.sh stop' and delete that folder to reset)"
          ;;
      esac
    fi
    sleep 1
  done
  show_log_tail
  [[ -s "$RUN_DIR/probe.err" ]] && cat "$RUN_DIR/probe.err" >&2
  die "Bolt did not answer within ${START_TIMEOUT}s (server pid $pid still running; see ${LOGS_DIR#"$ROOT_DIR"/})"
}

cmd_start() {
  cmd_install
  find_java
  mkdir -p "$RUN_DIR" "$LOGS_DIR"
  load_password
  build_probe

  local pid
  pid="$(read_pid)"
  if [[ -n "$pid" ]] && is_our_pid "$pid"; then
    wait_ready "$pid"
    log "already running (pid $pid), Bolt on 127.0.0.1:$BOLT_PORT answers"
    return 0
  fi
  rm -f "$PID_FILE"

  local port
  for port in "$BOLT_PORT" "$HTTP_PORT"; do
    ! port_open "$port" || die "port $port on 127.0.0.1 is already in use by another process"
  done

  local size
  for size in "$HEAP" "$PAGECACHE"; do
    [[ "$size" =~ ^[0-9]+[kKmMgG]?$ ]] || die "memory size '$size' must look like 512m or 2g"
  done
  write_config
  set_initial_password

  local -a jvm_opts=(
    # the JVM options of Neo4j 5.26's default neo4j.conf (server.jvm.additional),
    # minus -XX:+AlwaysPreTouch (it would make the whole heap resident at once)
    -XX:+UseG1GC
    -XX:-OmitStackTraceInFastThrow
    -XX:+UnlockExperimentalVMOptions
    -XX:+TrustFinalNonStaticFields
    -XX:+DisableExplicitGC
    -Djdk.nio.maxCachedBufferSize=1024
    -Dio.netty.tryReflectionSetAccessible=true
    -Djdk.tls.ephemeralDHKeySize=2048
    -Djdk.tls.rejectClientInitiatedRenegotiation=true
    -XX:FlightRecorderOptions=stackdepth=256
    -XX:+UnlockDiagnosticVMOptions
    -XX:+DebugNonSafepoints
    --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/java.io=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --enable-native-access=ALL-UNNAMED
    -Dlog4j2.disable.jmx=true
    -Dlog4j.layout.jsonTemplate.maxStringLength=32768
    # crash reports into the logs, not into whatever directory start ran from
    "-XX:ErrorFile=$LOGS_DIR/hs_err_pid%p.log"
    # what the bootloader adds itself
    -Dfile.encoding=UTF-8
    "-Xms$HEAP"
    "-Xmx$HEAP"
  )
  # Same classpath order as Neo4j's bootloader: plugins, conf, lib.
  local classpath="$NEO4J_HOME_DIR/plugins/*:$CONF_DIR/*:$NEO4J_HOME_DIR/lib/*"

  log "starting Neo4j (Bolt 127.0.0.1:$BOLT_PORT, HTTP 127.0.0.1:$HTTP_PORT, heap $HEAP, page cache $PAGECACHE)"
  mark_logs
  printf '===== %s services/neo4j.sh start =====\n' "$(date -u +%FT%TZ)" >>"$LOGS_DIR/console.log"
  local t0=$SECONDS
  NEO4J_HOME="$NEO4J_HOME_DIR" NEO4J_CONF="$CONF_DIR" \
    nohup "$JAVA" -cp "$classpath" "${jvm_opts[@]}" "$MAIN_CLASS" \
    "--home-dir=$NEO4J_HOME_DIR" "--config-dir=$CONF_DIR" \
    >>"$LOGS_DIR/console.log" 2>&1 </dev/null &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  wait_ready "$pid"
  log "started (pid $pid) in $((SECONDS - t0))s; Bolt bolt://127.0.0.1:$BOLT_PORT answers, user neo4j"
}

cmd_stop() {
  local pid
  pid="$(read_pid)"
  if [[ -z "$pid" ]]; then
    log "not running (no pid file)"
    return 0
  fi
  if ! is_our_pid "$pid"; then
    log "not running (stale pid file for $pid removed)"
    rm -f "$PID_FILE"
    return 0
  fi
  log "stopping pid $pid..."
  kill -TERM "$pid"
  local start=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS - start >= 60)); then
      log "pid $pid did not stop within 60s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.5
  done
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local pid
  pid="$(read_pid)"
  if [[ -z "$pid" ]] || ! is_our_pid "$pid"; then
    log "stopped"
    if is_installed; then log "installed in ${NEO4J_HOME_DIR#"$ROOT_DIR"/}"; else log "not installed"; fi
    return 3
  fi
  find_java
  load_password
  build_probe
  local rc=0
  log "running, pid $pid, Bolt bolt://127.0.0.1:$BOLT_PORT, HTTP http://127.0.0.1:$HTTP_PORT"
  probe info || rc=$?
  ((rc == 0)) || log "Bolt does not answer an authenticated query (probe exit $rc)"
  return "$rc"
}

# The lines the settings read (graph/settings.py); the caller writes them to a mode-600 file.
cmd_env() {
  [[ ! -t 1 ]] || die "env prints the password: redirect it into a file (services/up.sh writes .services/env)"
  load_password >&2
  printf 'NEO4J_URI=bolt://127.0.0.1:%s\n' "$BOLT_PORT"
  printf 'NEO4J_USER=neo4j\n'
  printf 'NEO4J_PASSWORD=%s\n' "$NEO4J_PASSWORD"
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *)
    echo "usage: $0 {install|start|stop|status|env}" >&2
    exit 2
    ;;
esac
