#!/bin/bash
# Grade a class on a Slurm cluster: one array task per shard, then recipes/slurm/merge.sh.
#
#   job=$(sbatch --parsable --array=1-8 recipes/slurm/grade_array.sh /shared/class /shared/graded)
#   sbatch --dependency=afterany:$job recipes/slurm/merge.sh /shared/graded
#
# SUBMISSIONS (first argument) is what `llmt grade` takes, e.g. a folder with
# submitted/<student>/<A>/<A>.ipynb; every task sees the same folder and grades its part of it
# (`llmt grade --shard i/n`, i counted from 1 whatever the array's first index). OUT (second
# argument) receives shard-<i>/{course,report.json,junit.xml} per task and feedback/ (HTML, shared
# by all tasks: each notebook has its own folder). Rerunning a task starts its shard afresh.
#
# Set LLMT to the command to run (default: llmt on PATH, e.g. after activating the course's .venv).
# The offline fixtures are built on first use into $LLMT_CACHE (default ~/.cache/llmt), under a
# file lock; where the home folder is on a file system without working locks, point LLMT_CACHE at
# node-local storage.
#SBATCH --job-name=llmt-grade
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=02:00:00
#SBATCH --output=llmt-grade-%A_%a.out
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: sbatch --array=1-N $0 SUBMISSIONS OUT" >&2
    exit 2
fi
submissions=$1
out=$2
: "${SLURM_ARRAY_TASK_ID:?submit with sbatch --array=1-N}"
i=$((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-1} + 1))
n=${SLURM_ARRAY_TASK_COUNT:?submit with sbatch --array=1-N}

shard=$out/shard-$i
rm -rf "$shard"
mkdir -p "$shard"
${LLMT:-llmt} grade "$submissions" --shard "$i/$n" --workers "${SLURM_CPUS_PER_TASK:-1}" \
    --course-dir "$shard/course" --json "$shard/report.json" --junit "$shard/junit.xml" \
    --feedback "$out/feedback"
