"""benchmarks/class_scale.py runs end to end (one assignment, one repeat: about a minute)."""

import json
import subprocess
import sys

from graders import manifest

A = manifest.get("3_3")  # the quickest notebook to grade, and one that ships an earlier module


def test_quick_benchmark_times_llmt_and_nbgrader_on_the_same_submission(tmp_path):
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(manifest.COURSE_ROOT / "benchmarks" / "class_scale.py"), "--quick", "--assignments", A.id, "--json", str(out)],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(out.read_text())
    (row,) = figures["per_notebook"]
    assert row["assignment"] == A.id and len(row["llmt_runs"]) == len(row["nbgrader_runs"]) == 1
    assert row["llmt"] > 0 and row["nbgrader"] > 0 and row["ratio"] == row["llmt"] / row["nbgrader"]
    assert row["llmt_score"] == [A.points, A.points]
    whole = figures["whole"]
    assert whole["notebooks"] == 1
    assert whole["llmt_workers_1"]["score"] == whole["nbgrader"]["score"] == [A.points, A.points]
    assert whole["nbgrader"]["seconds"] == whole["nbgrader"]["generate"] + whole["nbgrader"]["autograde"]
    workers = "--workers" in subprocess.run([sys.executable, "-m", "graders.cli", "grade", "--help"],
                                            capture_output=True, text=True).stdout
    if workers:
        assert whole["llmt_workers_2"]["score"] == [A.points, A.points] and whole["speedup_2_workers"] > 0
    else:
        assert "llmt_workers_2" not in whole and "not available" in done.stdout
    assert f"{A.id}" in done.stdout and "notebooks/min" in done.stdout
