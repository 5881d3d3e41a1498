#!/usr/bin/env bash
# submit.sh SWEEP.yaml OUTDIR [TASKS [SBATCH OPTIONS...]]
# Submits the sweep as a job array of TASKS shards (default 16) and the merge
# and analysis job after it; prints both job ids. Extra options go to the
# array's sbatch (e.g. --cpus-per-task=8 --time=12:00:00 --partition=long).
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 SWEEP.yaml OUTDIR [TASKS [SBATCH OPTIONS...]]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
sweep=$1 out=$2 tasks=${3:-16}
shift $(($# < 3 ? $# : 3))
[[ $tasks =~ ^[1-9][0-9]*$ ]] || { echo "TASKS must be a positive number, got '$tasks'" >&2; exit 2; }
"${P53EVO:-p53evo}" sweep plan "$sweep" >/dev/null # refuse a bad sweep file before queueing
jid=$(sbatch --parsable --array=0-$((tasks - 1)) "$@" "$here/sweep.sbatch" "$sweep" "$out")
jid=${jid%%;*}
mid=$(sbatch --parsable --dependency=afterok:"$jid" "$here/merge.sbatch" "$out")
mid=${mid%%;*}
echo "sweep: array job $jid ($tasks tasks); merge and analysis: job $mid (after $jid succeeds)"
echo "progress: ${P53EVO:-p53evo} sweep status $out"
