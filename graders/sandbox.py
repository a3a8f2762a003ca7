"""Walls and limits around one notebook kernel, and a record of how it ended.

A sandboxed kernel is started through this module's command line (graders.execute does it):

    python -m graders.sandbox --config RUN/config.json -- python -m ipykernel_launcher -f CONN.json

This wrapper stays outside the walls. It forks the kernel, which, before its first line of Python:

- becomes PID 1 of a new PID namespace, so every process it leaves running dies with it, in a new
  mount namespace with its own /proc and /dev/shm and, when the network is off, a new network
  namespace (the grader then talks to it over unix sockets: `transport="ipc"`);
- gets a scrubbed environment (built by `kernel_environment`), rlimits (address space, CPU time,
  file size, no core dumps), no capabilities and no_new_privs, and dies with the wrapper
  (PR_SET_PDEATHSIG);
- is confined by Landlock: it may read the Python installation, the system folders, the fixture
  cache and the paths the caller lists, and read and write only its notebook folder, a private
  scratch folder (HOME, TMPDIR) and the writable paths the caller lists; no TCP connection, and TCP
  bind only on its own kernel ports; no signal to, and no abstract unix socket of, any process
  outside.

The wrapper forwards SIGINT (nbgrader interrupts a cell that runs past its timeout), kills the
kernel at the notebook's wall-clock limit, and writes how the kernel ended to RUN/status.json,
which the kernel cannot reach; graders.execute reads it to name the reason. A mechanism the
machine lacks is skipped, and `protections()` says what is active.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: Seconds one notebook cell may run before nbgrader interrupts it (llmt grade --timeout).
DEFAULT_CELL_TIMEOUT = 120


@dataclass(frozen=True)
class Limits:
    """What one notebook may use. The defaults suit the offline profile (a notebook takes seconds)."""

    cell_timeout: int = DEFAULT_CELL_TIMEOUT  # seconds per cell (nbgrader interrupts it)
    notebook_timeout: int = 900  # seconds of wall clock per notebook (the kernel is killed)
    memory_mb: int = 6144  # address space of the kernel process (RLIMIT_AS)
    cpu_seconds: int = 600  # CPU time of the kernel process (RLIMIT_CPU; killed when spent)
    file_size_mb: int = 1024  # largest file the kernel may write (RLIMIT_FSIZE)
    cell_output_bytes: int = 1_000_000  # output kept per cell; the rest is dropped with a note
    notebook_output_bytes: int = 10_000_000  # output kept per notebook
    network: bool = False  # False: no network where the machine allows it


def in_kernel_checks() -> list[Path]:
    """The folders the hidden cells import today (`from graders.<module> import check_x`): the
    kernel must read them until the judge runs the checks outside the student's process."""
    from .manifest import COURSE_ROOT

    return [COURSE_ROOT / "graders", COURSE_ROOT / "solutions"]


@dataclass
class Sandbox:
    """What a kernel may see beyond the system and Python folders, and its limits.

    `trusted_readable`: folders of the course the kernel may read; each one that is a package is
    importable under its name. Grading fills it with graders/ and solutions/ (`in_kernel_checks`);
    the judge replaces it with its stand-in package. `readable`, `writable`: more paths (say, the
    judge's socket folder); `env`: more environment variables (a PYTHONPATH given here comes after
    the trusted packages). `namespaces=False` does without PID, mount and network namespaces (as on
    a machine that refuses them: Landlock then guards TCP, and the wrapper, a subreaper, kills what
    the kernel leaves running). `enabled=False` runs the plain kernel (failure containment stays).
    """

    limits: Limits = field(default_factory=Limits)
    trusted_readable: list[Path] = field(default_factory=in_kernel_checks)
    readable: list[Path] = field(default_factory=list)
    writable: list[Path] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    namespaces: bool = True
    enabled: bool = True

    def to_dict(self) -> dict:
        """Plain data, for traitlets configuration (graders.course.configure)."""
        return {
            "limits": asdict(self.limits), "enabled": self.enabled, "namespaces": self.namespaces, "env": dict(self.env),
            **{k: [str(p) for p in getattr(self, k)] for k in ("trusted_readable", "readable", "writable")},
        }

    @classmethod
    def from_dict(cls, data: dict) -> Sandbox:
        if not data:
            return cls()
        paths = {k: [Path(p) for p in data[k]] for k in ("trusted_readable", "readable", "writable") if k in data}
        return cls(limits=Limits(**data.get("limits", {})), env=dict(data.get("env", {})),
                   namespaces=data.get("namespaces", True), enabled=data.get("enabled", True), **paths)


# ------------------------------------------------------------------------ what the kernel may see

#: Variables a kernel keeps from the grader's environment (with those of profile.HF_OFFLINE)
_ENV_KEEP = {
    "PATH", "LANG", "LANGUAGE", "TZ", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE", "MPLBACKEND",
    "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS", "TOKENIZERS_PARALLELISM", "HF_HUB_DISABLE_TELEMETRY",
}
_ENV_KEEP_PREFIXES = ("LC_", "LLMT_")
#: /etc entries a Python kernel may need (dynamic loader, users, time zone, name service, certificates)
_ETC = (
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "passwd", "group",
    "nsswitch.conf", "host.conf", "hosts", "gai.conf", "ssl", "ca-certificates", "pki", "mime.types",
    "os-release", "debian_version", "alternatives", "fonts", "matplotlibrc", "locale.alias", "protocols",
    "services",
)
_DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


def system_readable() -> list[Path]:
    """The system and Python folders every kernel reads (never the folder a venv sits in)."""
    paths = [Path(p) for p in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/sys")]
    paths += [Path("/etc") / name for name in _ETC]
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        paths += [Path(prefix), Path(prefix).resolve()]
    paths.append(Path(sys.executable).resolve().parent)
    return _existing(paths)


def _existing(paths) -> list[Path]:
    out = []
    for p in paths:
        p = Path(p)
        if p.exists() and p not in out:
            out.append(p)
    return out


def kernel_environment(environ: dict[str, str], home: Path, imports: Path | None, extra: dict[str, str]) -> dict[str, str]:
    """The kernel's whole environment: a few of the grader's variables (every LLMT_* one among
    them: keep secrets out of that prefix), a private HOME and TMPDIR, the fixture cache, the
    trusted packages on PYTHONPATH, then `extra`."""
    from .profile import CACHE_VAR, HF_OFFLINE, cache_dir

    keep = _ENV_KEEP | set(HF_OFFLINE)
    env = {k: v for k, v in environ.items() if k in keep or k.startswith(_ENV_KEEP_PREFIXES)}
    tmp = home / "tmp"
    # JPY_PARENT_PID=1: ipykernel neither polls its parent (the wrapper's PR_SET_PDEATHSIG does
    # that) nor prints its "Ctrl-C will not work" banner
    env.update(HOME=str(home), TMPDIR=str(tmp), TMP=str(tmp), TEMP=str(tmp), PYTHONNOUSERSITE="1", JPY_PARENT_PID="1",
               **{CACHE_VAR: str(cache_dir())})
    env.setdefault("PATH", os.defpath)
    extra = dict(extra)
    path = [str(imports)] if imports is not None else []
    if extra.get("PYTHONPATH"):
        path.append(extra.pop("PYTHONPATH"))
    if path:
        env["PYTHONPATH"] = os.pathsep.join(path)
    env.update(extra)
    return env


def fixture_paths(environ: dict[str, str]) -> list[Path]:
    """The fixture cache and every fixture a variable of the offline profile points at."""
    from .profile import cache_dir

    paths = [cache_dir()]
    for name, value in environ.items():
        if name.startswith("LLMT_"):
            paths += [Path(v) for v in value.split(",") if os.path.isabs(v)]
    return _existing(paths)


def _seed_home(home: Path) -> None:
    """Copy matplotlib's font list from the grader's cache: in an empty HOME each kernel would
    rebuild it (half a second)."""
    cache = os.environ.get("MPLCONFIGDIR") or os.path.join(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "matplotlib")
    for font_list in Path(cache).glob("fontlist-*.json"):
        (home / ".cache" / "matplotlib").mkdir(parents=True, exist_ok=True)
        shutil.copy(font_list, home / ".cache" / "matplotlib")


def _run_base() -> str:
    """Short (a unix socket path holds at most 107 bytes) and private."""
    return "/tmp" if os.path.isdir("/tmp") and os.access("/tmp", os.W_OK) else tempfile.gettempdir()


def private_folder(prefix: str) -> str:
    """A new folder only this user may enter, where kernels' run folders go."""
    return tempfile.mkdtemp(prefix=prefix, dir=_run_base())


class KernelRun:
    """The private folder of one sandboxed kernel, outside its walls: config.json, status.json,
    and the folders the kernel may use (home/: HOME and TMPDIR; ipc/: its sockets; import/: links
    to the trusted packages)."""

    def __init__(self, sandbox: Sandbox, notebook_dir: Path):
        self.sandbox = sandbox
        self.dir = Path(private_folder("llmt-kernel-"))
        self.home, self.ipc, self.imports = self.dir / "home", self.dir / "ipc", self.dir / "import"
        for d in (self.home / "tmp", self.ipc, self.imports):
            d.mkdir(parents=True)
        _seed_home(self.home)
        self.status_path = self.dir / "status.json"
        self.config_path = self.dir / "config.json"
        trusted = _existing(sandbox.trusted_readable)
        for pkg in trusted:
            if (pkg / "__init__.py").is_file():
                (self.imports / pkg.name).symlink_to(pkg.resolve(), target_is_directory=True)
        has_imports = any(self.imports.iterdir())
        readable = system_readable() + fixture_paths(dict(os.environ)) + trusted + _existing(sandbox.readable)
        readable.append(self.imports)
        # /dev/shm (POSIX semaphores, shared memory): the kernel's own tmpfs (dropped without a mount namespace)
        writable = [Path(notebook_dir), self.home, self.ipc] + _existing([Path("/dev/shm"), *sandbox.writable])
        config = {
            "limits": asdict(sandbox.limits),
            "read": [str(p) for p in readable],
            "write": [str(p) for p in writable],
            "devices": [d for d in _DEVICES if os.path.exists(d)],
            "env": kernel_environment(dict(os.environ), self.home, self.imports if has_imports else None, sandbox.env),
            "status": str(self.status_path),
            "runtime": str(self.ipc),
            "namespaces": sandbox.namespaces,
        }
        self.config_path.write_text(json.dumps(config, indent=1))

    def command(self, kernel_argv: list[str], fork: bool = True) -> list[str]:
        """The kernel command, wrapped: forked from this process's zygote when it has one
        (graders/zygote.py) and `fork`, else started by the wrapper."""
        from . import zygote

        running = zygote.current() if fork else None
        if running is not None and zygote.available(self.sandbox) and running.listening():
            return [sys.executable, "-m", "graders.zygote", "--connect", running.name,
                    "--config", str(self.config_path), "--", *kernel_argv]
        return [sys.executable, "-m", "graders.sandbox", "--config", str(self.config_path), "--", *kernel_argv]

    def status(self) -> dict:
        """What the wrapper wrote: how the kernel started ({} before that), and how it ended
        ("end" is None until then, or when the wrapper was killed)."""
        try:
            return json.loads(self.status_path.read_text())
        except (OSError, ValueError):
            return {}

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------------- the kernel side

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long

CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 8, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 1, 24, 28, 36, 38, 47
_SYS_LANDLOCK_CREATE_RULESET, _SYS_LANDLOCK_ADD_RULE, _SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
#: Landlock filesystem rights (bit i) as they arrived: 13 in ABI 1, REFER in 2, TRUNCATE in 3, IOCTL_DEV in 5
_FS_EXECUTE, _FS_WRITE_FILE, _FS_READ_FILE, _FS_READ_DIR = 1, 2, 4, 8
_FS_REFER, _FS_TRUNCATE, _FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FS_READ = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR
_FS_FILE_ONLY = _FS_EXECUTE | _FS_WRITE_FILE | _FS_READ_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV
_NET_BIND_TCP, _NET_CONNECT_TCP = 1, 2
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1, 2
_RULE_PATH_BENEATH, _RULE_NET_PORT = 1, 2


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _NetPortAttr(ctypes.Structure):
    _fields_ = [("allowed_access", ctypes.c_uint64), ("port", ctypes.c_uint64)]


def _ok(ret: int, what: str) -> int:
    if ret < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return ret


def _prctl(option: int, arg: int = 0) -> int:
    return _ok(_libc.prctl(ctypes.c_int(option), ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)), f"prctl({option})")


def _unshare(flags: int) -> None:
    _ok(_libc.unshare(ctypes.c_int(flags)), "unshare")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    _ok(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)), f"mount {target}")


def landlock_abi() -> int:
    """The Landlock ABI version this kernel offers (0: none)."""
    ret = _libc.syscall(ctypes.c_long(_SYS_LANDLOCK_CREATE_RULESET), None, ctypes.c_long(0), ctypes.c_long(1))
    return max(int(ret), 0)


def _fs_rights(abi: int) -> int:
    rights = (1 << 13) - 1
    for since, bit in ((2, _FS_REFER), (3, _FS_TRUNCATE), (5, _FS_IOCTL_DEV)):
        if abi >= since:
            rights |= bit
    return rights


def _landlock(read: list[str], write: list[str], devices: list[str], tcp_ports: list[int], tcp_open: bool) -> dict:
    """Confine this process (and what it starts) to the given paths; returns what was applied."""
    abi = landlock_abi()
    if abi < 1:
        return {"abi": 0}
    handled = _fs_rights(abi)
    attr = _RulesetAttr(handled_access_fs=handled)
    size = 8
    net = abi >= 4 and not tcp_open
    if net:
        attr.handled_access_net = _NET_BIND_TCP | _NET_CONNECT_TCP
        size = 16
    if abi >= 6:
        attr.scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL
        size = 24
    ruleset = _ok(_libc.syscall(ctypes.c_long(_SYS_LANDLOCK_CREATE_RULESET), ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0)), "landlock_create_ruleset")
    rules = [(p, _FS_READ) for p in read] + [(p, handled) for p in write]
    rules += [(d, _FS_READ_FILE | _FS_WRITE_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV) for d in devices]
    for path, rights in rules:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            if not os.path.isdir(path):
                rights &= _FS_FILE_ONLY
            rule = _PathBeneathAttr(allowed_access=rights & handled, parent_fd=fd)
            _ok(_libc.syscall(ctypes.c_long(_SYS_LANDLOCK_ADD_RULE), ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH), ctypes.byref(rule), ctypes.c_uint32(0)), f"landlock rule for {path}")
        finally:
            os.close(fd)
    if net:
        for port in tcp_ports:
            rule = _NetPortAttr(allowed_access=_NET_BIND_TCP, port=port)
            _ok(_libc.syscall(ctypes.c_long(_SYS_LANDLOCK_ADD_RULE), ctypes.c_int(ruleset), ctypes.c_int(_RULE_NET_PORT), ctypes.byref(rule), ctypes.c_uint32(0)), "landlock port rule")
    _ok(_libc.syscall(ctypes.c_long(_SYS_LANDLOCK_RESTRICT_SELF), ctypes.c_int(ruleset), ctypes.c_uint32(0)), "landlock_restrict_self")
    os.close(ruleset)
    return {"abi": abi, "filesystem": True, "tcp": net, "scopes": abi >= 6}


def _drop_capabilities() -> bool:
    """Give up every capability for good (root included): rlimits can no longer be raised, no
    module loading, no raw devices. False when there were none to drop (not root)."""
    try:
        _prctl(PR_SET_SECUREBITS, 0x2F)  # NOROOT, NO_SETUID_FIXUP, KEEP_CAPS off, all locked
    except OSError:
        return False
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text()) if os.path.exists("/proc/sys/kernel/cap_last_cap") else 40
    for cap in range(last + 1):
        _prctl(PR_CAPBSET_DROP, cap)
    _prctl(PR_CAP_AMBIENT, 4)  # PR_CAP_AMBIENT_CLEAR_ALL
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()
    _ok(_libc.capset(header, data), "capset")
    return True


def _loopback_up() -> None:
    import fcntl
    import socket
    import struct

    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        flags = struct.unpack("16sH", fcntl.ioctl(s, siocgifflags, struct.pack("16sH", b"lo", 0)))[1]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sH", b"lo", flags | iff_up))


def _namespaces(network: bool, shm_mb: int, keep: list[str], binds: list[tuple[str, str]]) -> dict:
    """Inside the new PID namespace (this process is PID 1): a mount namespace with our own /proc
    and /dev/shm, an empty /run (Landlock does not guard connecting to a unix socket by its path:
    this hides the well-known ones, the Docker daemon's among them) unless a path in `keep` lies
    there, each (folder, at) of `binds` bound at `at`, and with the network off a network namespace
    with no way out."""
    flags = CLONE_NEWNS | (0 if network else CLONE_NEWNET)
    try:
        _unshare(flags)
    except OSError:
        return {"mount": False, "network": False, "bound": False}
    if not network:
        _loopback_up()  # a loopback that reaches only this namespace (ipykernel's subprocess-output pipe)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    if os.path.isdir("/dev/shm"):
        _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size={shm_mb}m,mode=1777")
    run = os.path.realpath("/run")
    if os.path.isdir(run) and not any(os.path.realpath(p).startswith(run + os.sep) for p in keep):
        _mount("tmpfs", run, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=1m,mode=755")
    for folder, at in binds:
        _mount(folder, at, None, MS_BIND | MS_REC)
    return {"mount": True, "network": not network, "bound": bool(binds)}


def _confine(config: dict, connection: dict, pid_namespace: bool, binds: list[tuple[str, str]] = (),
             preloaded_bytes: int = 0) -> tuple[dict, bool]:
    """Runs in the forked kernel before exec: every wall, in order. Returns what was applied and
    whether `binds` were made (which needs a mount namespace). When they were, the kernel will run
    in this process, where libraries already take `preloaded_bytes` of address space: they do not
    count against its memory limit."""
    limits = Limits(**config["limits"])
    os.setpgid(0, 0)  # its own process group: the wrapper forwards interrupts to it alone
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    applied: dict = {"pid_namespace": pid_namespace and os.getpid() == 1}
    ipc = connection.get("transport") == "ipc"
    if applied["pid_namespace"]:
        ns = _namespaces(limits.network or not ipc, min(512, limits.memory_mb // 4), config["read"] + config["write"],
                         list(binds))
        applied["mount_namespace"], applied["network_namespace"], bound = ns["mount"], ns["network"], ns["bound"]
    else:
        applied["mount_namespace"] = applied["network_namespace"] = bound = False
    mb = 1 << 20
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb + (preloaded_bytes if bound else 0),) * 2)
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds,) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_mb * mb,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    applied["rlimits"] = True
    applied["capabilities_dropped"] = _drop_capabilities()
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    ports = [] if ipc else [int(connection[k]) for k in connection if k.endswith("_port")]
    # /dev/shm is writable only where it is the kernel's own tmpfs
    write = [p for p in config["write"] if applied["mount_namespace"] or os.path.realpath(p) != "/dev/shm"]
    # in its own network namespace the kernel reaches nothing but itself: TCP needs no rules there
    applied["landlock"] = _landlock(config["read"], write, config["devices"], ports,
                                    limits.network or applied["network_namespace"])
    return applied, bound


# --------------------------------------------------------------------------------- the wrapper side

def _connection(argv: list[str], runtime: str) -> dict:
    """The kernel's connection file (named by `-f`), read before the walls go up, copied into the
    kernel's own runtime folder, and `argv` pointed at the copy."""
    for i, arg in enumerate(argv[:-1]):
        if arg == "-f":
            copy = os.path.join(runtime, "connection.json")
            shutil.copyfile(argv[i + 1], copy)
            argv[i + 1] = copy
            return json.loads(Path(copy).read_text())
    return {}


SIGNAL_NAMES = {
    signal.SIGSEGV: "segmentation fault (SIGSEGV)", signal.SIGBUS: "bus error (SIGBUS)",
    signal.SIGABRT: "aborted (SIGABRT)", signal.SIGILL: "illegal instruction (SIGILL)",
    signal.SIGFPE: "arithmetic fault (SIGFPE)",
}


def end_reason(end: dict) -> str:
    """How a kernel ended, in words, from the `end` record of its status file."""
    limits = end.get("limits", {})
    if end.get("limit") == "wall":
        return f"wall-clock limit: the notebook ran for more than {limits.get('notebook_timeout')} s"
    if end.get("limit") == "cpu":
        return f"CPU-time limit: the kernel used {limits.get('cpu_seconds')} s of CPU time"
    if end.get("setup_error"):
        return f"the sandbox could not start the kernel: {end['setup_error']}"
    # no measured figures in the reason: grading twice must give the same report
    if end.get("signal"):
        sig = signal.Signals(end["signal"])
        what = SIGNAL_NAMES.get(sig, f"killed by {sig.name}")
        if end.get("max_rss_mb", 0) >= 0.5 * limits.get("memory_mb", float("inf")):
            what = f"out of memory ({what}, near the {limits.get('memory_mb')} MiB cap)"
        return what
    if end.get("stopped"):
        return "stopped by the grader"
    return f"the kernel exited with code {end.get('code')}"


def _kill_descendants() -> None:
    """Without a PID namespace: kill every process the kernel left (they are our children now,
    or become ours as their parents die), until none is left."""
    for _ in range(1000):
        children = set()
        for task in Path(f"/proc/{os.getpid()}/task").iterdir():
            children.update(int(pid) for pid in (task / "children").read_text().split())
        if not children:
            return
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        time.sleep(0.01)


def _write_status(path: str, status: dict) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump(status, f)
    os.replace(tmp, path)


def run(config_path: str, argv: list[str], in_process=None, control=None) -> int:
    """The wrapper: start the kernel inside the walls, watch it, record how it ended.

    graders.zygote passes `in_process` (the kernel runs in the forked child instead of an exec,
    when its binds could be made) and `control`, a socket whose b"i" interrupts the kernel and
    whose b"t" or end stops it."""
    config = json.loads(Path(config_path).read_text())
    limits = Limits(**config["limits"])
    try:
        connection = _connection(argv, config["runtime"])
    except (OSError, ValueError) as exc:
        end = {"setup_error": f"the connection file: {type(exc).__name__}: {exc}", "limits": asdict(limits)}
        _write_status(config["status"], {"protections": None, "end": {**end, "reason": end_reason(end)}})
        return 127
    pid_namespace = False
    if config["namespaces"]:
        try:
            _unshare(CLONE_NEWPID)  # applies to the child forked next
            pid_namespace = True
        except OSError:
            pass
    if not pid_namespace:
        _prctl(PR_SET_CHILD_SUBREAPER, 1)  # what the kernel leaves running comes to us
    state = {"child": 0, "stopped": False}

    def forward(signum, _frame):
        if state["child"] > 0:
            os.kill(state["child"], signal.SIGINT)

    def stop(signum, _frame):
        state["stopped"] = True
        if state["child"] > 0:
            os.kill(state["child"], signal.SIGKILL)

    signal.signal(signal.SIGINT, forward)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)
    read_end, write_end = os.pipe()  # closed on exec: EOF tells the wrapper the kernel started
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            applied, bound = (_confine(config, connection, pid_namespace, in_process.binds(), in_process.preloaded_bytes)
                              if in_process else _confine(config, connection, pid_namespace))
            os.write(write_end, json.dumps({"protections": applied}).encode() + b"\n")
            if in_process is not None and bound:
                os.write(write_end, b'{"forked": true}\n')
                os.close(write_end)
                write_end = None
                in_process.run(argv, in_process.environment(config["env"]))  # does not return
            os.execve(argv[0], argv, config["env"])
        except BaseException as exc:  # noqa: BLE001 (anything that stops the kernel from starting)
            if write_end is None:
                import traceback

                traceback.print_exc()
            else:
                os.write(write_end, json.dumps({"setup_error": f"{type(exc).__name__}: {exc}"}).encode() + b"\n")
        finally:
            os._exit(127)
    state["child"] = pid
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    report = {}
    for part in b"".join(chunks).splitlines():
        report.update(json.loads(part))
    # how it started, until how it ended replaces it
    _write_status(config["status"], {"protections": report.get("protections"), "forked": report.get("forked", False), "end": None})
    limit = None
    while True:
        done, wstatus, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > limits.notebook_timeout:
            limit = "wall"
            os.kill(pid, signal.SIGKILL)
            _, wstatus, usage = os.wait4(pid, 0)
            break
        if control is None:
            time.sleep(0.05)
        elif select.select([control], [], [], 0.05)[0]:
            try:
                data = control.recv(64)
            except OSError:
                data = b""
            if not data or b"t" in data:  # the client was stopped, or is gone
                control = None
                stop(signal.SIGTERM, None)
            elif b"i" in data:
                forward(signal.SIGINT, None)
    if not pid_namespace:
        _kill_descendants()
    cpu = usage.ru_utime + usage.ru_stime
    end = {
        "code": os.waitstatus_to_exitcode(wstatus) if os.WIFEXITED(wstatus) else None,
        "signal": os.WTERMSIG(wstatus) if os.WIFSIGNALED(wstatus) else None,
        "cpu_seconds": round(cpu, 1), "max_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "stopped": state["stopped"], "setup_error": report.get("setup_error"), "limits": asdict(limits),
    }
    if limit is None and end["signal"] in (signal.SIGKILL, signal.SIGXCPU) and cpu >= limits.cpu_seconds - 1:
        limit = "cpu"
    end["limit"] = limit
    end["reason"] = end_reason(end)
    _write_status(config["status"], {"protections": report.get("protections"), "forked": report.get("forked", False), "end": end})
    return end["code"] if end["code"] is not None else 128 + (end["signal"] or 0)


# ------------------------------------------------------------------------ what this machine offers

_PROBE: dict | None = None


def protections(limits: Limits | None = None) -> dict:
    """What the sandbox achieves on this machine: a throwaway kernel-less run through the wrapper
    (Python started inside the walls), and the record the wrapper made of it. Cached."""
    global _PROBE
    if _PROBE is None:
        scratch = tempfile.TemporaryDirectory(prefix="llmt-probe-")
        run_ = KernelRun(Sandbox(limits=limits or Limits(), trusted_readable=[]), Path(scratch.name))
        try:
            conn = run_.ipc / "probe.json"
            conn.write_text(json.dumps({"transport": "ipc"}))
            subprocess.run(run_.command([sys.executable, "-c", "pass", "-f", str(conn)], fork=False), check=False, timeout=60,
                           stdout=subprocess.DEVNULL)
            status = run_.status()
        finally:
            run_.close()
            scratch.cleanup()
        applied = status.get("protections") or {}
        _PROBE = {
            "landlock_abi": applied.get("landlock", {}).get("abi", 0),
            "landlock_filesystem": applied.get("landlock", {}).get("filesystem", False),
            "landlock_tcp": applied.get("landlock", {}).get("tcp", False),
            "landlock_scopes": applied.get("landlock", {}).get("scopes", False),
            "pid_namespace": applied.get("pid_namespace", False),
            "mount_namespace": applied.get("mount_namespace", False),
            "network_namespace": applied.get("network_namespace", False),
            "capabilities_dropped": applied.get("capabilities_dropped", False),
            "rlimits": applied.get("rlimits", False),
            "error": (status.get("end") or {}).get("setup_error") or (None if status else "the probe wrote no status"),
        }
    return dict(_PROBE)


def describe(p: dict, limits: Limits | None = None) -> str:
    """One line: the protections of `protections()` and the limits."""
    limits = limits or Limits()
    if p.get("error"):
        return f"sandbox: unavailable ({p['error']})"
    parts = []
    if p["landlock_abi"]:
        kinds = ["files"] + (["TCP"] if p["landlock_tcp"] else []) + (["signals", "abstract sockets"] if p["landlock_scopes"] else [])
        parts.append(f"Landlock ABI {p['landlock_abi']} ({', '.join(kinds)})")
    else:
        parts.append("no Landlock (the kernel can read the course's files)")
    ns = [n for n in ("PID", "mount", "network") if p[f"{n.lower()}_namespace"]]
    parts.append(f"{', '.join(ns)} namespaces" if ns else "no namespaces (a subreaper kills what a kernel leaves running)")
    if p["network_namespace"]:
        parts.append("no network")
    elif p["landlock_tcp"]:
        parts.append("no TCP (UDP not blocked)")
    else:
        parts.append("network open")
    if p["capabilities_dropped"]:
        parts.append("no capabilities")
    parts.append(f"limits: cell {limits.cell_timeout} s, notebook {limits.notebook_timeout} s, memory {limits.memory_mb} MiB, "
                 f"CPU {limits.cpu_seconds} s, output {limits.cell_output_bytes // 1000} kB per cell")
    return "sandbox: " + "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) >= 4 and argv[0] == "--config" and argv[2] == "--":
        return run(argv[1], argv[3:])
    print("usage: python -m graders.sandbox --config RUN/config.json -- KERNEL-COMMAND...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
