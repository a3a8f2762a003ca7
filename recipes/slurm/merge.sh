#!/bin/bash
# Join the shards that recipes/slurm/grade_array.sh wrote under OUT into one report and one
# gradebook, in OUT/course (a course directory: `nbgrader formgrader` and `nbgrader db` work there):
#
#   sbatch --dependency=afterany:$job recipes/slurm/merge.sh /shared/graded
#
# Writes OUT/report.json, OUT/junit.xml and OUT/table.txt. Exits 2, naming them, when shards are
# missing (a task failed: rerun it with sbatch --array=<i> ..., then this again).
#SBATCH --job-name=llmt-merge
#SBATCH --cpus-per-task=1
#SBATCH --mem=4G
#SBATCH --time=00:30:00
#SBATCH --output=llmt-merge-%j.out
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: sbatch $0 OUT" >&2
    exit 2
fi
out=$1
rm -rf "$out/course"
${LLMT:-llmt} merge "$out"/shard-*/report.json --course-dirs "$out"/shard-*/course \
    --course-dir "$out/course" --json "$out/report.json" --junit "$out/junit.xml" > "$out/table.txt"
cat "$out/table.txt"
