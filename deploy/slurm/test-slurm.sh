#!/usr/bin/env bash
# test-slurm.sh - end-to-end test of p53evo sweeps on a throwaway local SLURM
# (make test-slurm; CI runs it as root). Brings SLURM up with
# ../shared/tools/slurm-local.sh (beside the repository), builds p53evo, and:
#
#  1. runs a small sweep as a 4-task array with deploy/slurm/sweep.sbatch, merges it
#     with the dependent deploy/slurm/merge.sbatch job, and checks the merged tables
#     are the same bytes as the same sweep run unsharded;
#  2. submits a longer array, stops the first running tasks with SIGUSR1 (the time
#     limit warning: they must exit 0 and say "stopped"), cancels the rest with
#     scancel (SIGTERM), checks that only complete units are in place, resubmits
#     the array, merges, and checks the result equals the unsharded run (nothing
#     lost or duplicated) and that the resubmission skipped the finished units.
#
# Skips (exit 0) with a message where SLURM cannot be installed or started
# (not root, no slurm-local.sh, no apt, no network). Takes about a minute warm.
# Environment: GO (default go), SLURM_LOCAL (path of slurm-local.sh),
# KEEP=1 keeps the work directory.
set -euo pipefail

root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel 2>/dev/null || (cd "$(dirname "$0")/../.." && pwd))
slurm_local=${SLURM_LOCAL:-$root/../shared/tools/slurm-local.sh}
GO=${GO:-go}
t0=$SECONDS

say() { echo "test-slurm: [$(date +%T.%N | cut -c1-12)] $*" >&2; }
skip() { say "SKIP: $*"; exit 0; }
fail() { say "FAIL: $*"; exit 1; }

[[ $EUID -eq 0 ]] || skip "needs root to run a local SLURM (slurm-local.sh); run as root or in CI"
[[ -f $slurm_local ]] || skip "no $slurm_local (the shared tools beside the repository)"
command -v apt-get >/dev/null || command -v sbatch >/dev/null || skip "no apt-get to install SLURM and no SLURM installed"

work=$(mktemp -d /tmp/p53evo-test-slurm.XXXXXX)
up=0
cleanup() {
  local rc=$?
  if ((up)); then bash "$slurm_local" down >/dev/null 2>&1 || true; fi
  if [[ ${KEEP:-0} == 1 || $rc -ne 0 ]]; then say "work directory kept: $work"; else rm -rf "$work"; fi
  exit $rc
}
trap cleanup EXIT

say "building p53evo"
(cd "$root" && "$GO" build -o "$work/bin/p53evo" ./cmd/p53evo)
export P53EVO=$work/bin/p53evo

say "bringing up the local SLURM (slurm-local.sh up)"
if ! bash "$slurm_local" up >"$work/slurm-up.log" 2>&1; then
  tail -n 20 "$work/slurm-up.log" >&2 || true
  bash "$slurm_local" down >/dev/null 2>&1 || true
  skip "SLURM could not be installed or started here (log above)"
fi
up=1
say "SLURM up after $((SECONDS - t0)) s"

sbatch_dir=$root/deploy/slurm
mkdir -p "$work/logs"
cd "$work"

# same DIR_A DIR_B: the merged sweeps hold the same plan, points table and
# table files, byte for byte, and nothing else.
same() {
  local a=$1 b=$2 f n=0
  cmp -s "$a/sweep.json" "$b/sweep.json" || fail "sweep.json differs between $a and $b"
  cmp -s "$a/points.arrow" "$b/points.arrow" || fail "points.arrow differs between $a and $b"
  for f in "$a"/point=*/*.arrow; do
    cmp -s "$f" "$b/${f#"$a"/}" || fail "${f#"$a"/} differs between $a and $b"
    n=$((n + 1))
  done
  local nb
  nb=$(find "$b" -path '*/point=*/*.arrow' | wc -l)
  [[ $n -gt 0 && $n -eq $nb ]] || fail "$a has $n point tables, $b has $nb"
  [[ -z $(find "$b" -path '*/point=*/reps-*') ]] || fail "unit directories left in $b after merge"
  say "  $b: $n table files identical to the unsharded run"
}

# complete_units DIR: units in place (directories with a manifest)
complete_units() { find "$1" -path '*/point=*/reps-*/manifest.json' 2>/dev/null | wc -l; }

# gone JOBID: wait until the job has left the queue
gone() {
  local i
  for ((i = 0; i < 600; i++)); do
    [[ -z $(squeue -h -j "$1" 2>/dev/null) ]] && return 0
    sleep 0.2
  done
  fail "job $1 still queued after 120 s"
}

# ---- 1. a small sweep as a 4-task array, merged by the dependent job ----
cat >small.yaml <<'EOF'
name: small
base: rezatapopt-continuous-lesion
seed: 11
replicates: 12
batch: 3
set: {detection.size: 1e5}
axes:
  - {path: growth.death, values: [0.12, 0.13]}
  - {path: mutation.rate, log: {from: 1e-8, to: 1e-6, n: 3}}
EOF
"$P53EVO" sweep plan small.yaml | sed -n 2p >&2
"$P53EVO" sweep run small.yaml --out small-ref -q
"$P53EVO" sweep merge small-ref >/dev/null

jid=$(sbatch --parsable --array=0-3 --cpus-per-task=1 --output="$work/logs/small-%A_%a.out" "$sbatch_dir/sweep.sbatch" small.yaml small-arr)
jid=${jid%%;*}
mid=$(sbatch --parsable --dependency=afterok:"$jid" --cpus-per-task=1 --output="$work/logs/small-merge-%j.out" "$sbatch_dir/merge.sbatch" small-arr)
mid=${mid%%;*}
say "1. small sweep: array job $jid (4 tasks), merge job $mid"
bash "$slurm_local" wait "$jid" 120 || { cat logs/small-*.out >&2; fail "array job $jid"; }
bash "$slurm_local" wait "$mid" 120 || { cat logs/small-merge-*.out >&2; fail "merge job $mid"; }
for i in 0 1 2 3; do
  grep -q "shard $i/4: .* units complete" logs/small-"${jid}"_$i.out || { cat logs/small-"${jid}"_$i.out >&2; fail "task $i did not report its shard"; }
done
same small-ref small-arr
[[ -s small-arr/analysis.txt ]] || fail "merge job wrote no analysis"
for i in 0 1 2 3; do
  grep -q '"state": "complete"' small-arr/shards/shard-$i-of-4.json || fail "shard $i/4 manifest not complete"
done

# ---- 2. a longer array: USR1, scancel, resubmit ----
cat >long.yaml <<'EOF'
name: long
base: rezatapopt-continuous-lesion
seed: 12
replicates: 128
batch: 8
set: {detection.size: 1e9}
axes:
  - {path: growth.death, values: [0.12, 0.125, 0.13]}
  - {path: "treatment.phases[0].doses.rezatapopt", values: [1500, 2000]}
EOF
long_units=$("$P53EVO" sweep plan long.yaml | sed -n 's/.* in \([0-9]*\) units.*/\1/p')
say "2. long sweep: $long_units units"
jid=$(sbatch --parsable --array=0-3 --cpus-per-task=1 --output="$work/logs/long1-%A_%a.out" "$sbatch_dir/sweep.sbatch" long.yaml long-arr)
jid=${jid%%;*}

# Wait for progress, then the time-limit warning to the running tasks.
for ((i = 0; i < 1200; i++)); do (($(complete_units long-arr) >= 4)) && break; sleep 0.05; done
running=$(squeue -h -j "$jid" -t RUNNING -o '%i' | sort | paste -sd' ')
[[ -n $running ]] || fail "no task of job $jid running"
n_usr1=$(complete_units long-arr)
say "  $n_usr1 units done; SIGUSR1 to the batch shells of running tasks $running"
# In the background: scancel --batch returns seconds after the signal is delivered.
# shellcheck disable=SC2086
scancel --batch --signal=USR1 $running 2>"$work/logs/scancel-usr1.err" &
usr1_pid=$!
# The stopped tasks end; the pending ones start. Let them work, then cancel.
# (Only the count in the loop: squeue can take a second while tasks end.)
for ((i = 0; i < 1200; i++)); do
  (($(complete_units long-arr) >= n_usr1 + 4)) && break
  sleep 0.05
done
[[ -n $(squeue -h -j "$jid" -t RUNNING) ]] || fail "no task of job $jid left running to cancel; lengthen long.yaml"
n_term=$(complete_units long-arr)
say "  $n_term units done; scancel (SIGTERM) job $jid"
scancel "$jid"
gone "$jid"
wait "$usr1_pid" || say "  (scancel --signal=USR1 exited non-zero: $(tr "\n" " " <"$work/logs/scancel-usr1.err"))"
n_after=$(complete_units long-arr)
((n_after < long_units)) || fail "the first array finished every unit before it was cancelled; lengthen long.yaml"
stopped=$(grep -l "^stopped: [0-9]* of [0-9]* units done in this shard; rerun to resume" logs/long1-*.out | wc -l)
# Those stopped by SIGUSR1, and at least one stopped by SIGTERM.
((stopped >= $(wc -w <<<"$running") + 1)) || { tail -n 3 logs/long1-*.out >&2; fail "only $stopped tasks said they stopped"; }
# Tasks stopped by USR1 exit 0: SLURM records them COMPLETED.
for t in $running; do
  state=$(scontrol -o show job "$t" 2>/dev/null | grep -o 'JobState=[A-Z]*' || true)
  code=$(scontrol -o show job "$t" 2>/dev/null | grep -o ' ExitCode=[0-9:]*' || true)
  say "  task $t after SIGUSR1: $state$code"
  [[ $code == " ExitCode=0:0" ]] || fail "task $t stopped by SIGUSR1 did not exit 0 ($state$code)"
done
# Only complete units are in place; a killed unit leaves at most a hidden temporary directory.
while read -r d; do
  [[ -f $d/manifest.json ]] || fail "incomplete unit in place: $d"
done < <(find long-arr -mindepth 2 -maxdepth 2 -name 'reps-*' -type d)
"$P53EVO" sweep status long-arr --shards 4
say "  $stopped tasks stopped gracefully; $n_after of $long_units units done; resubmitting"

jid2=$(sbatch --parsable --array=0-3 --cpus-per-task=1 --output="$work/logs/long2-%A_%a.out" "$sbatch_dir/sweep.sbatch" long.yaml long-arr)
jid2=${jid2%%;*}
mid=$(sbatch --parsable --dependency=afterok:"$jid2" --cpus-per-task=1 --output="$work/logs/long-merge-%j.out" "$sbatch_dir/merge.sbatch" long-arr)
mid=${mid%%;*}
# Meanwhile, the unsharded reference.
"$P53EVO" sweep run long.yaml --out long-ref -q --workers 2
"$P53EVO" sweep merge long-ref >/dev/null
bash "$slurm_local" wait "$jid2" 180 || { tail -n 5 logs/long2-*.out >&2; fail "resubmitted array $jid2"; }
bash "$slurm_local" wait "$mid" 120 || { cat logs/long-merge-*.out >&2; fail "merge job $mid"; }
skipped=$(sed -n 's/.*(\([0-9]*\) already done.*/\1/p' logs/long2-*.out | awk '{s += $1} END {print s + 0}')
((skipped == n_after)) || fail "the resubmission skipped $skipped units, $n_after were done"
same long-ref long-arr
say "PASS in $((SECONDS - t0)) s (resubmission skipped the $skipped units done before the cancel)"
