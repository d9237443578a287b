#!/usr/bin/env bash
# Tries a broker fault by hand, as an operator would, against scripts/services.sh's RabbitMQ and PostgreSQL: two Scheduler.Host nodes and
# two samples/Worker processes on one queue (handler 50 ms in ten steps, each followed by a heartbeat), three cron tasks every 5 s and 1,000
# execute-once tasks due over 40 s; the fault strikes 15 s into that burst. Then it waits until every task due is final and prints what the
# broker, the database and the processes' output say (docs/guarantees.md, "Tried by hand").
#
# Usage (as root, on the machine scripts/services.sh set up):
#   scripts/fault-drill.sh kill    # kill -9 of the broker's Erlang VM, down 45 s, started again on its data by scripts/services.sh
#   scripts/fault-drill.sh stop    # rabbitmqctl stop_app, 15 s, rabbitmqctl start_app
#   scripts/fault-drill.sh overload # no broker fault: 20,000 execute-once tasks due over 50 s onto workers whose handler takes 200 ms,
#                                   # a fraction of that rate; the queue holds a backlog for minutes (issue: overload multiplied the work)
#
# It kills or stops the shared broker: nothing else should use it meanwhile. Everything runs in a virtual host and a database of its own
# (both deleted at the end); the processes' output stays in the folder it prints.
set -uo pipefail
cd "$(dirname "$0")/.."
fault=${1:-}
[[ $fault == kill || $fault == stop || $fault == overload ]] || { echo "usage: scripts/fault-drill.sh kill|stop|overload" >&2; exit 2; }
count=1000 step=00:00:00.040 delay=00:00:00.050 lead=20
[[ $fault == overload ]] && count=20000 step=00:00:00.0025 delay=00:00:00.200 lead=120
eval "$(bash scripts/services.sh --print-env 2>/dev/null)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for project in src/Scheduler.Host samples/Worker samples/Client; do
    dotnet build "$project" --nologo -v q -clp:ErrorsOnly >/dev/null || { echo "could not build $project" >&2; exit 1; }
done

out=$(mktemp -d /tmp/fault-drill-$fault-XXXX)
run=$(date -u +%H%M%S)
vhost=drill-$run db=drill_$run
amqp="amqp://guest:guest@127.0.0.1:5672/$vhost"
ctl() { timeout 60 rabbitmqctl "$@" 2>/dev/null | grep -v '^Timeout\|^Listing'; }
sql() { PGPASSWORD=postgres timeout 30 psql -h 127.0.0.1 -U postgres -d "${2:-$db}" -tAc "$1"; }
say() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$out/summary.txt"; }
ctl add_vhost "$vhost" >/dev/null && ctl set_permissions -p "$vhost" guest '.*' '.*' '.*' >/dev/null
sql "CREATE DATABASE $db" postgres >/dev/null
pids=()
cleanup() {
    kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null
    ctl delete_vhost "$vhost" >/dev/null; sql "DROP DATABASE IF EXISTS $db WITH (FORCE)" postgres >/dev/null
}
trap cleanup EXIT

bin=bin/Debug/net10.0
for n in 1 2; do
    Transport__Kind=RabbitMq Transport__RabbitMq__Uri=$amqp Store__Kind=Postgres Scheduler__NodeId=node-$n \
        Store__ConnectionString="Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=$db" \
        dotnet src/Scheduler.Host/$bin/Scheduler.Host.dll > "$out/node-$n.log" 2>&1 & pids+=($!)
done
for n in 1 2; do
    dotnet samples/Worker/$bin/Worker.dll --Transport:RabbitMq:Uri "$amqp" --Worker:Name w$n --Worker:Queue drill-worker \
        --Worker:HandlerDelay $delay > "$out/w$n.log" 2>&1 & pids+=($!)
done
client() { dotnet samples/Client/$bin/Client.dll --rabbitmq "$amqp" --timeout 120 "$@"; }
until client schedule "*/5 * * * * *" --queue drill-worker >> "$out/client.txt" 2>&1; do sleep 1; done # the first succeeds once a node is up
client schedule "*/5 * * * * *" --queue drill-worker >> "$out/client.txt" && client schedule "*/5 * * * * *" --queue drill-worker >> "$out/client.txt"
start=$(( $(date -u +%s) + lead ))
client schedule "$(date -u -d @$start +%Y-%m-%dT%H:%M:%SZ)" --count $count --step $step --queue drill-worker >> "$out/client.txt"
say "two nodes, two workers (handler $delay); 3 cron tasks every 5 s and $count one-off tasks due from $(date -u -d @$start +%H:%M:%S), $step apart"
say "consumers before the fault: $(ctl list_queues -p "$vhost" name consumers | awk '$1 != "scheduler-identity" && $1 != "name" {printf "%s %s, ", $1, $2}')"
sleep $(( start + 15 - $(date -u +%s) ))

case $fault in
    overload)
        say "no fault: the load alone" ;;
    kill)
        say "kill -9 of the broker's Erlang VM (beam.smp, pid $(pgrep -u rabbitmq beam.smp)); down 45 s"
        kill -9 "$(pgrep -u rabbitmq beam.smp)"
        sleep 45
        bash scripts/services.sh >/dev/null 2>&1 ;;
    stop)
        say "rabbitmqctl stop_app; 15 s; rabbitmqctl start_app"
        ctl stop_app >/dev/null; sleep 15; ctl start_app >/dev/null ;;
esac
back=$(date -u +%s)
say "fault over"

pending="SELECT count(*) FROM task_instances WHERE status NOT IN (2, 3, 4, 6) AND fire_time < now() - interval '10 seconds'"
for _ in $(seq 1 120); do
    sleep 5
    [[ $(sql "$pending") == 0 ]] && break
done
say "every instance due is final $(( $(date -u +%s) - back )) s after the fault ($(sql "$pending") not final)"
sleep 15 # cron occurrences go on; give each endpoint its time to show
say "consumers after: $(ctl list_queues -p "$vhost" name consumers | awk '$1 != "scheduler-identity" && $1 != "name" {printf "%s %s, ", $1, $2}')"
say "messages waiting in drill-worker: $(ctl list_queues -p "$vhost" name messages | awk '$1 == "drill-worker" {print $2}')"
say "one-off tasks completed: $(sql "SELECT count(*) FROM task_instances i JOIN task_definitions d ON d.id = i.definition_id WHERE d.trigger_kind = 1 AND i.status = 2") of $count; highest attempt: $(sql "SELECT max(attempt) FROM task_instances")"
runs=$(cat "$out"/w?.log | grep -E '^\[w[12]\] task .* attempt [0-9]+/' || true)
say "handler runs: $(echo "$runs" | grep -c .); the same attempt twice: $(echo "$runs" | awk '{print $5, $7}' | sort | uniq -d | wc -l); marked redelivered: $(echo "$runs" | grep -c redelivered)"
say "endpoint restarts by the watchdog: $(cat "$out"/*.log | grep -c 'restarting it')"
say "Warnings and Errors logged: nodes $(cat "$out"/node-*.log | grep -cE '^[0-9T:.-]+Z (warn|fail): '), workers $(cat "$out"/w?.log | grep -cE '^[0-9T:.-]+Z (warn|fail): ')"
say "logs in $out"
