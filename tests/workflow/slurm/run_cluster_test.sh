#!/usr/bin/env bash
# Integration test of the SLURM profile against a real, throw-away, one-node SLURM cluster.
#
#   tests/workflow/slurm/run_cluster_test.sh            # up, test, down (the whole thing)
#   tests/workflow/slurm/run_cluster_test.sh up         # only start the cluster (then: test, down)
#
# Installs Debian's slurm-wlm, slurmdbd, munge and mariadb-server (apt-get; needs root or
# password-less sudo), starts munged, a private MariaDB (own data dir, 127.0.0.1 only),
# slurmdbd, slurmctld and slurmd on this machine with a CPU partition "cpu" and a partition
# "gpu" whose node carries two fake GPUs (GRES gpu on /dev/null and /dev/zero), installs
# snakemake-executor-plugin-slurm into the Python environment, runs the opt-in test
# tests/workflow/test_slurm_cluster.py (pytest -m slurm) and tears everything down again.
#
# Environment: PYTHON (default .venv/bin/python, else python3) is the interpreter whose
# environment has the package installed; KEEP_CLUSTER=1 leaves the cluster running.
# Refuses to run where a slurm.conf exists that this script did not write (a real cluster).
set -euo pipefail
cd "$(dirname "$0")/../../.."

MARK="# written by tests/workflow/slurm/run_cluster_test.sh"
ETC=/etc/slurm
STATE=/var/tmp/tdvae-am-slurm-test
DB_PORT=${SLURM_TEST_DB_PORT:-3307}
NODE=$(hostname -s)
ACCOUNT=tdvae
if [[ -z ${PYTHON:-} ]]; then
    if [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi

if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
elif sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "needs root or password-less sudo (apt-get install, daemons, /etc/slurm)" >&2
    exit 2
fi
as_root() { "${SUDO[@]}" "$@"; }
log() { printf '[cluster-test %s] %s\n' "$(date +%T)" "$*"; }

install_packages() {
    local missing=()
    for bin in slurmctld:slurmctld slurmd:slurmd slurmdbd:slurmdbd sbatch:slurm-client \
        munged:munge mariadbd:mariadb-server; do
        command -v "${bin%%:*}" >/dev/null 2>&1 || [[ -x /usr/sbin/${bin%%:*} ]] || missing+=("${bin##*:}")
    done
    if ((${#missing[@]})); then
        log "apt-get install ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            slurm-wlm slurmdbd munge mariadb-server >/dev/null
    fi
    log "installing snakemake-executor-plugin-slurm into $PYTHON's environment"
    "$PYTHON" -m pip install -q "snakemake-executor-plugin-slurm>=2.8,<3"
}

write_config() {
    local cpus=8 mem=64000
    as_root mkdir -p "$ETC" "$STATE"/{ctld,spool,log,db}
    as_root tee "$ETC/slurm.conf" >/dev/null <<EOF
$MARK
ClusterName=tdvae-test
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
# no cgroups in a container: plain process tracking
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
GresTypes=gpu
# the node is declared larger than this machine (CPUs, memory) so the profile's requests fit
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=5
MinJobAge=600
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStorageTRES=gres/gpu
AccountingStoreFlags=job_comment
AccountingStorageEnforce=associations
JobCompType=jobcomp/none
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem Gres=gpu:2 State=UNKNOWN
PartitionName=cpu Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=$NODE MaxTime=INFINITE State=UP
EOF
    as_root tee "$ETC/gres.conf" >/dev/null <<EOF
$MARK
# two stand-in GPUs: Slurm drops file-less GPUs, so each gets a harmless device file
AutoDetect=off
NodeName=$NODE Name=gpu File=/dev/null
NodeName=$NODE Name=gpu File=/dev/zero
EOF
    as_root tee "$ETC/slurmdbd.conf" >/dev/null <<EOF
$MARK
AuthType=auth/munge
DbdHost=localhost
DbdAddr=127.0.0.1
SlurmUser=root
PidFile=$STATE/slurmdbd.pid
LogFile=$STATE/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=slurm
StoragePass=slurm-test
StorageLoc=slurm_acct_db
EOF
    as_root chmod 600 "$ETC/slurmdbd.conf"
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS > deadline)); then
            log "timed out waiting for $what"
            return 1
        fi
        sleep 1
    done
}

up() {
    if [[ -f $ETC/slurm.conf ]] && ! grep -qF "$MARK" "$ETC/slurm.conf"; then
        echo "$ETC/slurm.conf exists and was not written by this script: refusing to touch a real cluster" >&2
        exit 2
    fi
    if pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null; then
        echo "slurmctld/slurmd already running: run '$0 down' first" >&2
        exit 2
    fi
    install_packages
    write_config

    if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
        log "starting munged"
        as_root mkdir -p /run/munge
        as_root chown munge:munge /run/munge
        as_root runuser -u munge -- /usr/sbin/munged
        touch_state munged.started
        wait_for 20 munged sh -c 'munge -n | unmunge'
    fi

    log "starting MariaDB on 127.0.0.1:$DB_PORT"
    if [[ ! -d $STATE/db/mysql ]]; then
        as_root mariadb-install-db --no-defaults --user=root --datadir="$STATE/db" \
            --auth-root-authentication-method=socket --skip-test-db >"$STATE/log/mariadb-install.log" 2>&1
    fi
    as_root sh -c "nohup /usr/sbin/mariadbd --no-defaults --user=root --datadir='$STATE/db' \
        --socket='$STATE/mariadb.sock' --port=$DB_PORT --bind-address=127.0.0.1 \
        --pid-file='$STATE/mariadb.pid' --log-error='$STATE/log/mariadb.log' \
        --innodb-buffer-pool-size=64M >/dev/null 2>&1 &"
    wait_for 60 MariaDB as_root mariadb --no-defaults -S "$STATE/mariadb.sock" -e 'select 1'
    as_root mariadb --no-defaults -S "$STATE/mariadb.sock" -e "
        CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY 'slurm-test';
        CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'slurm-test';
        GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
        GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';"

    log "starting slurmdbd"
    as_root /usr/sbin/slurmdbd
    wait_for 60 slurmdbd sacctmgr -n list cluster
    as_root sacctmgr -i add cluster tdvae-test >/dev/null || true
    as_root sacctmgr -i add account "$ACCOUNT" cluster=tdvae-test description=test organization=test >/dev/null || true
    as_root sacctmgr -i add user "$(id -un)" account="$ACCOUNT" cluster=tdvae-test >/dev/null || true

    log "starting slurmctld and slurmd"
    as_root /usr/sbin/slurmctld
    wait_for 60 slurmctld scontrol ping
    as_root /usr/sbin/slurmd
    wait_for 60 "node $NODE idle" sh -c "sinfo -h -N -n $NODE -o %t | grep -qx idle"
    sinfo -o '%P %a %D %t %c %m %G'
}

touch_state() { as_root touch "$STATE/$1"; }

stop_pidfile() {  # stop_pidfile FILE NAME
    local pid
    [[ -f $1 ]] || return 0
    pid=$(cat "$1")
    if [[ -n $pid ]] && as_root kill -0 "$pid" 2>/dev/null; then
        log "stopping $2 ($pid)"
        as_root kill "$pid" || true
        for _ in $(seq 30); do as_root kill -0 "$pid" 2>/dev/null || return 0; sleep 1; done
        as_root kill -9 "$pid" || true
    fi
}

down() {
    if [[ -f $ETC/slurm.conf ]] && ! grep -qF "$MARK" "$ETC/slurm.conf"; then
        echo "$ETC/slurm.conf was not written by this script: not tearing anything down" >&2
        return 2
    fi
    scancel --user="$(id -un)" 2>/dev/null || true
    stop_pidfile "$STATE/slurmd.pid" slurmd
    stop_pidfile "$STATE/slurmctld.pid" slurmctld
    stop_pidfile "$STATE/slurmdbd.pid" slurmdbd
    stop_pidfile "$STATE/mariadb.pid" mariadbd
    if [[ -f $STATE/munged.started ]]; then
        stop_pidfile /run/munge/munged.pid munged
    fi
    for f in slurm.conf gres.conf slurmdbd.conf; do
        if [[ -f $ETC/$f ]] && grep -qF "$MARK" "$ETC/$f"; then as_root rm -f "$ETC/$f"; fi
    done
    as_root rm -rf "$STATE"
    log "cluster torn down"
}

run_tests() {
    log "running the cluster test (pytest -m slurm)"
    SLURM_ACCOUNT=$ACCOUNT SLURM_CPU_PARTITION=cpu SLURM_GPU_PARTITION=gpu TDVAE_SLURM_TEST=1 \
        "$PYTHON" -m pytest -m slurm -v -s tests/workflow/test_slurm_cluster.py
}

case ${1:-all} in
    up) up ;;
    down) down ;;
    test) run_tests ;;
    all)
        start=$SECONDS
        [[ ${KEEP_CLUSTER:-0} == 1 ]] || trap down EXIT
        up
        log "cluster up after $((SECONDS - start)) s"
        run_tests
        log "done after $((SECONDS - start)) s (cluster set-up, local and cluster smoke runs)"
        ;;
    *) echo "usage: $0 [all|up|test|down]" >&2; exit 2 ;;
esac
