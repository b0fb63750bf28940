"""The control plane's programs: found where the user has them, else built once from the pinned Go modules.

Seven programs, from three Go modules under ``tools/cluster/`` (each with its committed ``go.sum``):

- ``kubernetes``: kube-apiserver, kube-controller-manager, kube-scheduler and kubectl from ``k8s.io/kubernetes``;
- ``etcd``: the etcd server from ``go.etcd.io/etcd/server/v3``;
- ``kwok``: kwok (simulated nodes and pod lifecycles) and kwokctl (which runs the cluster) from ``sigs.k8s.io/kwok``.

A module is built only when one of its programs is found nowhere else: ``KUBEBUILDER_ASSETS`` (setup-envtest's
kube-apiserver, etcd and kubectl) and ``PATH`` come first, so whoever has the binaries needs no Go. Builds go
into a cache outside the repository (``$ECS_OPERATOR_CACHE`` or ``~/.cache/ecs-operator``), in a folder named
after a digest of the module's pins, so a second run finds them and a change of pins builds afresh.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

REPO_ROOT = Path(__file__).resolve().parents[3]
MODULES_DIR = REPO_ROOT / "tools" / "cluster"


@dataclass(frozen=True)
class Module:
    """A Go module of ``tools/cluster/`` and the programs it builds."""

    name: str
    programs: tuple[str, ...]
    targets: tuple[str, ...]  # what `go build` is given
    from_envtest: tuple[str, ...] = ()  # programs setup-envtest also ships (KUBEBUILDER_ASSETS)
    root: Path = MODULES_DIR

    @property
    def path(self) -> Path:
        return self.root / self.name


MODULES = (
    Module(
        "kubernetes",
        ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"),
        ("tool",),
        from_envtest=("kube-apiserver", "kubectl"),
    ),
    Module("etcd", ("etcd",), ("./cmd/etcd",), from_envtest=("etcd",)),
    Module("kwok", ("kwok", "kwokctl"), ("tool",)),
)
PROGRAMS = tuple(program for module in MODULES for program in module.programs)

Progress = Callable[[str], None]


class BinariesUnavailable(Exception):
    """A program is found nowhere and cannot be built here (no Go, or no tools/cluster/ next to the package)."""


def cache_root(environ: Mapping[str, str] = os.environ) -> Path:
    if environ.get("ECS_OPERATOR_CACHE"):
        return Path(environ["ECS_OPERATOR_CACHE"]).expanduser()
    base = Path(environ["XDG_CACHE_HOME"]).expanduser() if environ.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "ecs-operator"


def module_digest(module: Module) -> str:
    """A digest of everything that decides the module's build: its go.mod, go.sum and Go sources."""
    digest = hashlib.sha256()
    for path in sorted(p for p in module.path.rglob("*") if p.is_file() and p.name != "README.md"):
        digest.update(str(path.relative_to(module.path)).encode())
        digest.update(path.read_bytes())
    digest.update(" ".join(build_flags(module)).encode())
    return digest.hexdigest()[:16]


def build_dir(module: Module, environ: Mapping[str, str] = os.environ) -> Path:
    return cache_root(environ) / "cluster-bin" / f"{module.name}-{module_digest(module)}"


def required_version(module: Module, dependency: str) -> str:
    """The version of ``dependency`` that the module's go.mod requires."""
    match = re.search(
        rf"^\s*(?:require\s+)?{re.escape(dependency)}\s+(v\S+)", (module.path / "go.mod").read_text(), re.M
    )
    if match is None:
        raise BinariesUnavailable(f"tools/cluster/{module.name}/go.mod requires no {dependency}")
    return match.group(1)


def build_flags(module: Module) -> list[str]:
    """``go build`` flags: no debug info (smaller, faster links) and, for Kubernetes, its version stamped in the
    way its own release build does, so the server reports v1.x.y instead of v0.0.0-master."""
    ldflags = ["-s", "-w"]
    if module.name == "kubernetes":
        version = required_version(module, "k8s.io/kubernetes")
        major, minor = version.lstrip("v").split(".")[:2]
        for package in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
            ldflags += [
                f"-X {package}.gitVersion={version}",
                f"-X {package}.gitMajor={major}",
                f"-X {package}.gitMinor={minor}",
                f"-X {package}.gitTreeState=clean",
            ]
    return ["-trimpath", "-ldflags", " ".join(ldflags)]


def found_elsewhere(program: str, module: Module, environ: Mapping[str, str]) -> Path | None:
    """``program`` from KUBEBUILDER_ASSETS (if setup-envtest ships it) or PATH."""
    assets = environ.get("KUBEBUILDER_ASSETS")
    if assets and program in module.from_envtest and (Path(assets) / program).is_file():
        return Path(assets) / program
    on_path = shutil.which(program, path=environ.get("PATH"))
    return Path(on_path) if on_path else None


def locate(
    environ: Mapping[str, str] = os.environ, modules: Iterable[Module] = MODULES
) -> tuple[dict[str, Path], list[Module]]:
    """Where each program is, and the modules that must be built for the ones found nowhere."""
    found: dict[str, Path] = {}
    to_build: list[Module] = []
    for module in modules:
        elsewhere = {program: found_elsewhere(program, module, environ) for program in module.programs}
        if all(elsewhere.values()):
            found.update({program: path for program, path in elsewhere.items() if path is not None})
            continue
        built = build_dir(module, environ) if module.path.is_dir() else None
        if built is not None and (built / ".complete").is_file():
            found.update({program: built / program for program in module.programs})
        else:
            to_build.append(module)
    return found, to_build


def why_unavailable(environ: Mapping[str, str] = os.environ, modules: Iterable[Module] = MODULES) -> str | None:
    """None when every program is found or can be built here; else the one reason why not."""
    _, to_build = locate(environ, modules)
    if not to_build:
        return None
    missing = ", ".join(program for module in to_build for program in module.programs)
    if not all(module.path.is_dir() for module in to_build):
        return f"the control plane needs {missing}: not on PATH, and tools/cluster/ (to build them) is not here"
    if shutil.which("go", path=environ.get("PATH")) is None:
        return (
            f"the control plane needs {missing}: not on PATH or in KUBEBUILDER_ASSETS, and no Go to build them "
            "(install Go 1.24+, or put the binaries on PATH)"
        )
    return None


def ensure(progress: Progress | None = None, environ: Mapping[str, str] = os.environ) -> dict[str, Path]:
    """Every program's path, building the modules that are needed (with progress); raises BinariesUnavailable."""
    reason = why_unavailable(environ)
    if reason is not None:
        raise BinariesUnavailable(reason)
    found, to_build = locate(environ)
    for module in to_build:
        found.update(build(module, progress or print_progress, environ))
    return found


WAIT_REPORT_SECONDS = 30.0  # while another process builds a module, say so this often


@contextlib.contextmanager
def build_lock(
    module: Module, environ: Mapping[str, str], progress: Progress, every: float = WAIT_REPORT_SECONDS
) -> Iterator[None]:
    """One build of a module at a time on this machine (a test session, ``make run``, a background build); while
    another holds it, a progress line every ``every`` seconds, so a wait never looks like a hang."""
    lock = cache_root(environ) / "cluster-bin" / f"{module.name}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress(f"waiting for another build of tools/cluster/{module.name} to finish")
            wait_for(handle, module.name, progress, every)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def wait_for(handle: TextIO, name: str, progress: Progress, every: float) -> None:
    """Take the lock once the other build releases it, reporting how long it has been."""
    started = last = time.monotonic()
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            now = time.monotonic()
            if now - last >= every:
                last = now
                progress(f"  {name}: still waiting for the other build ({now - started:.0f}s)")
            time.sleep(min(0.5, every))


def build(module: Module, progress: Progress, environ: Mapping[str, str] = os.environ) -> dict[str, Path]:
    """``go build`` the module's programs into its cache folder, unless another build just did."""
    target = build_dir(module, environ)
    with build_lock(module, environ, progress):
        if (target / ".complete").is_file():
            return {program: target / program for program in module.programs}
        return build_unlocked(module, target, progress, environ)


def build_unlocked(module: Module, target: Path, progress: Progress, environ: Mapping[str, str]) -> dict[str, Path]:
    """The build itself; the folder counts only once complete."""
    staging = target.with_name(target.name + f".partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    env = {**environ, "GOFLAGS": environ.get("GOFLAGS", "") + " -mod=readonly", "CGO_ENABLED": "0"}
    total = count_packages(module, env)
    command = ["go", "build", "-v", *build_flags(module), "-o", str(staging) + os.sep, *module.targets]
    progress(f"building {', '.join(module.programs)} from tools/cluster/{module.name} (once; cached in {target})")
    started = time.monotonic()
    with subprocess.Popen(
        command, cwd=module.path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stderr is not None
        errors = report_packages(process.stderr, total, module.name, started, progress)
    if process.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise BinariesUnavailable(f"go build in tools/cluster/{module.name} failed:\n" + "".join(errors[-40:]))
    (staging / ".complete").write_text(" ".join(command) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    progress(f"built {module.name} in {time.monotonic() - started:.0f}s")
    return {program: target / program for program in module.programs}


def count_packages(module: Module, env: Mapping[str, str]) -> int:
    """How many packages the build involves (the denominator of the progress); 0 if Go cannot tell."""
    listing = subprocess.run(
        ["go", "list", "-deps", *module.targets], cwd=module.path, env=dict(env), capture_output=True, text=True
    )
    return len(listing.stdout.split()) if listing.returncode == 0 else 0


def report_packages(lines: Iterable[str], total: int, name: str, started: float, progress: Progress) -> list[str]:
    """Turn ``go build -v``'s package names into a progress line every 10 seconds; what is not a package name
    (compiler errors) is kept and returned."""
    built, errors, last = 0, [], started
    for line in lines:
        if re.fullmatch(r"[\w./~+-]+\n?", line):
            built += 1
        else:
            errors.append(line)
        now = time.monotonic()
        if now - last >= 10:
            last = now
            share = f"{built}/{total} packages" if total else f"{built} packages"
            progress(f"  {name}: compiled {share} ({now - started:.0f}s)")
    return errors


def print_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
