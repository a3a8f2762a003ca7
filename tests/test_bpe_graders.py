"""The hidden checks of 1_1 against implementations: the reference and correct variants get full
marks, a stub gets nothing, and each wrong implementation loses the part it breaks."""

import os
import subprocess
import sys
import threading
import time

import pytest

from graders import bpe as checks
from solutions import bpe as reference
from tests.implementations.bpe import ALL, CORRECT, WRONG, impl
from tests.parts import assert_loses_its_part, run_checks


def run_part(part, parts):
    """None when the check passes, else its message."""
    calls = {
        "check_get_pair_counts": lambda: checks.check_get_pair_counts(parts["get_pair_counts"]),
        "check_merge": lambda: checks.check_merge(parts["merge"]),
        "check_train_bpe": lambda: checks.check_train_bpe(parts["train_bpe"]),
        "check_train_bpe_speed": lambda: checks.check_train_bpe_speed(parts["train_bpe"]),
        "check_tokenizer": lambda: checks.check_tokenizer(parts["Tokenizer"]),
        "check_gpt4_tokenizer": lambda: checks.check_gpt4_tokenizer(parts["gpt4_tokenizer"]),
        "check_input_checks": lambda: checks.check_input_checks(parts["train_bpe"], parts["Tokenizer"]),
    }
    return run_checks(calls, [part])[part]


_CACHE = {}
_OBJECT_OF = {
    "check_get_pair_counts": "get_pair_counts", "check_merge": "merge", "check_train_bpe": "train_bpe",
    "check_train_bpe_speed": "train_bpe", "check_tokenizer": "Tokenizer", "check_gpt4_tokenizer": "gpt4_tokenizer",
    "check_input_checks": ("train_bpe", "Tokenizer"),
}


def result(parts, part):
    """run_part, memoised on the graded object: wrong variants share most objects with the reference."""
    names = _OBJECT_OF[part]
    obj = tuple(parts[n] for n in names) if isinstance(names, tuple) else parts[names]
    key = (part, id(obj) if not isinstance(obj, tuple) else tuple(map(id, obj)))
    if key not in _CACHE:
        _CACHE[key] = (obj, run_part(part, parts))  # keep obj alive so its id is not reused
    return _CACHE[key][1]


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_implementations_get_full_marks(name):
    assert {p: result(CORRECT[name], p) for p in ALL} == dict.fromkeys(ALL)


def test_stubs_get_nothing():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    class Stub:
        def __init__(self, *args, **kwargs):
            raise NotImplementedError()

    parts = dict(get_pair_counts=stub, merge=stub, train_bpe=stub, Tokenizer=Stub, gpt4_tokenizer=stub)
    messages = {p: run_part(p, parts) for p in ALL}
    assert all(messages.values()), messages
    # checks that call the student inside a property report the exception by name
    for p in ("check_get_pair_counts", "check_merge", "check_train_bpe"):
        assert "NotImplementedError" in messages[p]


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_implementation_loses_its_part(name):
    parts, must_fail, must_pass = WRONG[name]
    assert_loses_its_part({p: result(parts, p) for p in (must_fail, *must_pass)}, name, must_fail, must_pass)


def test_failure_messages_name_the_input_and_the_rule():
    message = result(WRONG["ties_broken_the_other_way"][0], "check_train_bpe")
    assert "tie" in message and "greatest" in message and "train_bpe(" in message
    message = result(WRONG["overlapping_merges"][0], "check_merge")
    assert "overlap" in message and "expected" in message
    message = result(WRONG["naive_recount_per_merge"][0], "check_train_bpe_speed")
    assert "incrementally" in message and "reference" in message
    message = result(WRONG["gpt4_calls_tiktoken_core"][0], "check_gpt4_tokenizer")
    assert "called tiktoken" in message


def test_failure_messages_are_deterministic():
    parts = WRONG["merges_across_special_tokens"][0]
    assert run_part("check_train_bpe", parts) == run_part("check_train_bpe", parts)


def test_speed_counts_the_cpu_time_of_the_student_code_not_wall_time(monkeypatch):
    """The student's CPU time is measured where the student's code runs: waiting costs nothing."""
    monkeypatch.setattr(checks, "SPEED_FACTOR", 2.0)
    monkeypatch.setattr(checks, "SPEED_SLACK", 0.1)

    def sleepy(text, vocab_size, special_tokens=[]):
        time.sleep(1.5)
        return reference.train_bpe(text, vocab_size, special_tokens)

    def busy(text, vocab_size, special_tokens=[]):
        end = time.process_time() + 1.5
        while time.process_time() < end:
            pass
        return reference.train_bpe(text, vocab_size, special_tokens)

    assert run_part("check_train_bpe_speed", impl(train_bpe=sleepy)) is None
    assert "took" in run_part("check_train_bpe_speed", impl(train_bpe=busy))


BUSY = "import time\nend = time.process_time() + 1.5\nwhile time.process_time() < end:\n    pass\n"


def _in_a_thread():
    worker = threading.Thread(target=exec, args=(BUSY,))
    worker.start()
    worker.join()


def _in_a_fork():
    pid = os.fork()
    if pid == 0:
        exec(BUSY)
        os._exit(0)
    os.waitpid(pid, 0)


def _in_a_fork_left_as_a_zombie():
    pid = os.fork()
    if pid == 0:
        exec(BUSY)
        os._exit(0)
    while open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z":
        time.sleep(0.05)
    _ZOMBIES.append(pid)


_ZOMBIES = []


@pytest.mark.parametrize("where", [_in_a_thread, _in_a_fork, _in_a_fork_left_as_a_zombie,
                                   lambda: subprocess.run([sys.executable, "-c", BUSY], check=True)],
                         ids=["thread", "fork", "fork_not_waited_for", "subprocess"])
def test_speed_charges_the_work_moved_into_threads_and_processes(monkeypatch, where):
    """Issue 15 §3: a slow train_bpe that does its work in a thread, a forked child or a subprocess
    is charged that work's CPU time."""
    monkeypatch.setattr(checks, "SPEED_FACTOR", 2.0)
    monkeypatch.setattr(checks, "SPEED_SLACK", 0.1)

    def elsewhere(text, vocab_size, special_tokens=[]):
        where()
        return reference.train_bpe(text, vocab_size, special_tokens)

    try:
        assert "took" in (run_part("check_train_bpe_speed", impl(train_bpe=elsewhere)) or "")
    finally:
        for pid in _ZOMBIES:
            os.waitpid(pid, 0)
        _ZOMBIES.clear()


def test_a_missing_input_check_costs_only_the_input_checks_part():
    results = {p: result(WRONG["no_value_error_for_small_vocab"][0], p) for p in ALL}
    assert [part for part, message in results.items() if message] == ["check_input_checks"]
    message = results["check_input_checks"]
    assert message.startswith("input validation (2 of 3 checks failed")
    assert "a `vocab_size` below 256 raises `ValueError`: expected ValueError, nothing was raised" in message
    message = result(WRONG["no_value_error_for_unknown_ids"][0], "check_input_checks")
    assert "no id 1000 raises `ValueError`: expected ValueError, nothing was raised" in message
