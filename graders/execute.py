"""nbgrader's Execute step with the kernel in graders.sandbox and its failures contained.

nbgrader scores a test cell by its outputs: an error (or anything on stderr) costs its points,
anything else earns them, a cell that never ran included (nbgrader issue 427). When the kernel
dies (it exits, crashes, runs out of memory or CPU time, passes the notebook's wall-clock limit)
or stops answering, plain nbgrader abandons the notebook: the whole assignment becomes an error.
Here the notebook is graded as far as it ran: the cell that was running gets a `KernelDied` error
naming the reason, every later code cell a `NotRun` error, the cells before keep their points,
and nbgrader writes the autograded notebook and the gradebook entries as usual.

Output is capped per cell and per notebook: beyond the cap it is dropped with one note, except
errors and a first stderr output (shortened), which decide a test cell's score.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbconvert.preprocessors.execute import NotebookClient
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Dict

from .sandbox import KernelRun, Limits, Sandbox, protections

KERNEL_DIED = "KernelDied"
NOT_RUN = "NotRun"
_DIED_IN_THIS_CELL = "the kernel died while running this cell: "
_KEPT_ERROR_CHARS = 2000


class _OneKernelSpec(KernelSpecManager):
    """Answers every kernel name with one spec: the sandboxed kernel of this notebook."""

    def __init__(self, spec: KernelSpec, **kwargs):
        super().__init__(**kwargs)
        self._spec = spec

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return self._spec


def _error(ename: str, evalue: str):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _size(content: dict) -> int:
    if "text" in content:
        return len(content["text"])
    if "data" in content:
        return sum(len(str(v)) for v in content["data"].values())
    return len(str(content.get("evalue", ""))) + sum(len(str(t)) for t in content.get("traceback", []))


class SandboxedExecute(Execute):
    """Execute with walls (graders.sandbox), output caps and failure containment."""

    sandbox = Dict(help="graders.sandbox.Sandbox.to_dict(); empty: the defaults").tag(config=True)

    # ------------------------------------------------------------------------- the kernel

    def create_kernel_manager(self):
        settings = Sandbox.from_dict(self.sandbox)
        if not settings.enabled:
            return super().create_kernel_manager()
        name = self.kernel_name or self.nb.metadata.get("kernelspec", {}).get("name") or "python3"
        base = KernelSpecManager().get_kernel_spec(name)
        notebook_dir = Path((self.resources or {}).get("metadata", {}).get("path") or ".").resolve()
        self._run = KernelRun(settings, notebook_dir)
        argv = list(base.argv)
        if argv[0] in {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}:
            argv[0] = sys.executable  # as jupyter_client does for an unwrapped kernel
        spec = KernelSpec(argv=self._run.command(argv), display_name=base.display_name,
                          language=base.language, interrupt_mode="signal", env=base.env)
        self.km = self.kernel_manager_class(kernel_name=name, kernel_spec_manager=_OneKernelSpec(spec), config=self.config)
        if settings.namespaces and protections()["network_namespace"] and not settings.limits.network:
            # the kernel has a network namespace of its own: it talks to us over unix sockets
            self.km.transport = "ipc"
            self.km.ip = str(self._run.ipc / "kernel")
        return self.km

    def _end_reason(self) -> str:
        end = (self._run.status().get("end") or {}) if self._run else {}
        return end.get("reason") or "the kernel died"

    # ----------------------------------------------------------------------- the notebook

    def preprocess(self, nb, resources=None, km=None):
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self._run = None
        self._limits = Sandbox.from_dict(self.sandbox).limits
        self._notebook_bytes = 0
        stopped = None  # (index of the cell that was running, reason or None: ask the wrapper)
        started = False
        try:
            with self.setup_kernel():
                info = self.wait_for_reply(self.kc.kernel_info())
                self.nb.metadata["language_info"] = info["content"]["language_info"]
                started = True
                for index, cell in enumerate(self.nb.cells):
                    try:
                        self.preprocess_cell(cell, resources, index)
                    except DeadKernelError:
                        stopped = (index, None)
                        break
                    except CellTimeoutError:  # it ran past its timeout and ignored the interrupt
                        stopped = (index, f"the cell ran past its {self.timeout} s limit and the kernel "
                                          "did not stop when interrupted, so it was killed")
                        run_sync(self.km.shutdown_kernel)(now=True)
                        break
        except Exception as exc:
            if started:
                raise
            raise RuntimeError(f"the kernel did not start: {self._end_reason() if self._run else exc}") from exc
        finally:
            reason = self._end_reason()
            if self._run:
                self.kernel_status = self._run.status()  # how the kernel started and ended (tests read it)
                self._run.close()
        if stopped is not None:
            index, why = stopped
            _contain(self.nb, index, why or reason)
        self.set_widgets_metadata()
        return self.nb, self.resources

    def preprocess_cell(self, cell, resources, index):
        self._cell_bytes = 0
        self._cell_noted = self._cell_stderr = False
        tags = cell.get("metadata", {}).get("tags")
        if tags and self.skip_cells_with_tag in tags:  # a student's tag never spares a cell from running
            tags.remove(self.skip_cells_with_tag)
        return super().preprocess_cell(cell, resources, index)

    # ------------------------------------------------------------------------- the output

    def output(self, outs, msg, display_id, cell_index):
        content = msg["content"]
        size = _size(content)
        limits: Limits = self._limits
        cell_room = limits.cell_output_bytes - self._cell_bytes
        notebook_room = limits.notebook_output_bytes - self._notebook_bytes
        room = max(0, min(cell_room, notebook_room))
        stderr = msg["msg_type"] == "stream" and content.get("name") == "stderr"
        kept = None
        if size <= room:
            kept = msg
        elif msg["msg_type"] == "error":  # an error decides a test cell's score: kept, shortened
            kept = copy.deepcopy(msg)
            kept["content"]["evalue"] = str(content.get("evalue", ""))[:_KEPT_ERROR_CHARS]
            kept["content"]["traceback"] = [t[:_KEPT_ERROR_CHARS] for t in content.get("traceback", [])[-20:]]
        elif msg["msg_type"] == "stream":  # what fits; and the first stderr of a cell, which costs a test cell its points
            kept = copy.deepcopy(msg)
            kept["content"]["text"] = content["text"][:max(room, _KEPT_ERROR_CHARS if stderr and not self._cell_stderr else 0)]
            if not kept["content"]["text"]:
                kept = None
        out = None
        if kept is not None:
            self._cell_stderr |= stderr
            kept_size = _size(kept["content"])
            self._cell_bytes += kept_size
            self._notebook_bytes += kept_size
            out = super().output(outs, kept, display_id, cell_index)
        if kept is not msg and not self._cell_noted:
            self._cell_noted = True
            which, cap = (("this cell's", limits.cell_output_bytes) if cell_room <= notebook_room
                          else ("the notebook's", limits.notebook_output_bytes))
            outs.append(new_output("stream", name="stdout", text=f"\n[output dropped: {which} output passed {cap} bytes]\n"))
        return out

    def _update_display_id(self, display_id, msg):
        if _size(msg["content"]) > self._limits.cell_output_bytes:
            return  # an update may not smuggle in what output() would drop
        super()._update_display_id(display_id, msg)


def _contain(nb, index: int, reason: str) -> None:
    """The kernel stopped in cell `index`: that cell and every later code cell get an error."""
    cell = nb.cells[index]
    if cell.cell_type == "code":
        cell.setdefault("outputs", []).append(_error(KERNEL_DIED, _DIED_IN_THIS_CELL + reason))
    for later in nb.cells[index + 1:]:
        if later.cell_type == "code":
            later.outputs = [_error(NOT_RUN, f"not run: the kernel died in an earlier cell ({reason})")]


def died_reason(evalue: str) -> str:
    """The reason in a KernelDied error's message."""
    return evalue.removeprefix(_DIED_IN_THIS_CELL)
