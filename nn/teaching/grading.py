"""Grade students' exercise notebooks: each in a fresh kernel, with the teacher's checks.

A submission is a folder named by the student's id, laid out as a pack
(:mod:`nn.teaching.packs`): ``<id>/<track>/NN_name.ipynb``.  For each exercise source
(:mod:`nn.teaching.sources`), the student's notebook of that name is run by nbclient in a
kernel of its own: the student's code cells in order (a cell that raises is skipped over,
as "allow errors"), then one cell per checker call **of the teacher's source**, with the
student's ``SEED`` (their checks in the notebook are not trusted, nor their ``SEED`` line).
Each checker call gives one :class:`Result`, whose verdict is

* ``right`` or ``not yet``: what the checker said (1 point or 0);
* ``error``: the call raised (a name the student deleted, a crash), the notebook file cannot
  be read (not JSON, not a notebook) or the kernel died (memory limit, ``os._exit``);
* ``timeout``: the notebook, checks included, ran past its time limit (the kernel is killed);
* ``missing``: the student's folder has no notebook of that name.

What a run is given: its own kernel process (in a process group of its own), started afresh,
killed at the end with its group (and at once when the grader is interrupted); a wall-clock
limit per notebook (``timeout`` seconds for all its cells and checks); an address-space
limit (``memory`` MiB, ``RLIMIT_AS`` set by the first cell, before the student's code); a
fresh empty working directory; ``PYTHONHASHSEED=0`` and one BLAS thread.  What it is *not*:
a sandbox.  The student's code runs as the teacher's user, with the network, the files and
the processes that user can reach, and it can tamper with the checks that follow it in the
same kernel.  Grade in a container or a throwaway account if that matters.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from nn.exercises import student_seed
from nn.teaching.kernel import MIME
from nn.teaching.sources import CheckCall, Exercise, check_calls

__all__ = ["VERDICTS", "Result", "StudentGrade", "Task", "tasks", "grade_notebook", "grade"]

VERDICTS = ("right", "not yet", "error", "timeout", "missing")

_SPARE = 60.0  # seconds past the limit before the whole run is cancelled (a safety net)

_RUNNING: set[NotebookClient] = set()  # the clients whose kernels run now (see _kill_running)
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Result:
    """One checker call's verdict for one student (1 point when ``right``)."""

    student: str
    notebook: str  # track/NN_name
    check: str  # the checker's name, e.g. check_backward
    verdict: str  # one of VERDICTS
    message: str
    hint: str = ""
    details: tuple[str, ...] = ()

    @property
    def exercise(self) -> str:
        """``track/NN_name:check``: what the CSV calls an exercise."""
        return f"{self.notebook}:{self.check}"

    @property
    def points(self) -> int:
        return int(self.verdict == "right")


@dataclass
class StudentGrade:
    """All the results of one student, in the order of the sources, and the time it took."""

    student: str
    results: list[Result] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def points(self) -> int:
        return sum(r.points for r in self.results)


@dataclass(frozen=True)
class Task:
    """An exercise to grade: its source's ``key``, ``import ... as ex`` line and checks."""

    key: str
    import_line: str
    checks: tuple[CheckCall, ...]


def tasks(sources: Sequence[Exercise]) -> list[Task]:
    """The teacher's checker calls of each source (sources without a check are skipped)."""
    out = []
    for exercise in sources:
        import_line, calls = check_calls(exercise.text())
        if calls:
            out.append(Task(exercise.key, import_line, tuple(calls)))
    return out


class _Client(NotebookClient):
    """nbclient, keeping only the outputs of the cells from ``keep_from`` on (the grader's):
    a student's endless ``print`` must not fill the grader's memory."""

    keep_from = 0

    def output(self, outs: list[Any], msg: dict[str, Any], display_id: str | None,
               cell_index: int) -> Any:
        if cell_index < self.keep_from:
            return None
        return super().output(outs, msg, display_id, cell_index)


def _kernel_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYTHONHASHSEED="0", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1", MPLBACKEND="Agg")
    return env


def _student_cells(path: Path) -> list[str]:
    """The code of a notebook's code cells; ValueError (one line) if it cannot be read."""
    try:
        nb = nbformat.read(path, as_version=4)
        code = [c["source"] for c in nb["cells"] if c.get("cell_type") == "code"]
    except Exception as e:  # any file a student hands in: not JSON, not a notebook, ...
        what = " ".join(str(e).split())[:200] or type(e).__name__
        raise ValueError(f"cannot read {path.name}: {what}") from None
    if not all(isinstance(c, str) for c in code):
        raise ValueError(f"cannot read {path.name}: a cell's source is not text")
    return code


def _grader_cells(task: Task, student: str) -> list[str]:
    setup = (f"SEED = {student_seed(student)}\n{task.import_line}\n"
             "from nn.teaching.kernel import report as _grader_report")
    return [setup] + [f"_grader_report({c.name!r}, lambda: {c.code})" for c in task.checks]


async def _run(client: _Client, timeout: float) -> str:
    """Run every cell of the client's notebook; ``""``, ``"timeout"`` or ``"died"``."""
    async with client.async_setup_kernel(env=_kernel_env(), stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL):
        deadline = time.monotonic() + timeout
        for index, cell in enumerate(client.nb.cells):
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout"
            client.timeout = max(1, math.ceil(left))
            try:
                await client.async_execute_cell(cell, index, execution_count=index + 1)
            except CellTimeoutError:
                return "timeout"
            except DeadKernelError:
                return "died"
    return ""


def _execute(cells: list[str], keep_from: int, timeout: float) -> tuple[list[Any], str]:
    """Run ``cells`` in a fresh kernel; the outputs of each cell and how the run ended."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    with tempfile.TemporaryDirectory(prefix="grade-") as cwd:
        client = _Client(nb, timeout=max(1, math.ceil(timeout)), allow_errors=True,
                         kernel_name="python3", shutdown_kernel="immediate",
                         resources={"metadata": {"path": cwd}})
        client.keep_from = keep_from
        with _LOCK:
            _RUNNING.add(client)
        try:
            ended = asyncio.run(asyncio.wait_for(_run(client, timeout), timeout + _SPARE))
        except asyncio.TimeoutError:
            ended = "timeout"
        finally:
            with _LOCK:
                _RUNNING.discard(client)
    return [cell.outputs for cell in nb.cells], ended


def _kill_running() -> None:
    """SIGKILL the process group of every kernel running now (the grader is interrupted)."""
    with _LOCK:
        running = list(_RUNNING)
    for client in running:
        pgid = getattr(getattr(client.km, "provisioner", None), "pgid", None)
        if pgid and hasattr(os, "killpg"):
            with contextlib.suppress(OSError):
                os.killpg(pgid, signal.SIGKILL)


def _verdict_of(outputs: list[Any]) -> dict[str, Any] | None:
    for out in outputs:
        if out.get("output_type") == "display_data" and MIME in out.get("data", {}):
            data = out["data"][MIME]
            return data if isinstance(data, dict) else None
    return None


def grade_notebook(folder: Path, task: Task, timeout: float,
                   memory: int | None = None) -> list[Result]:
    """Run ``folder/<task.key>.ipynb`` with the teacher's checks; one result per check."""
    student = folder.name

    def each(verdict: str, message: str, hint: str = "") -> list[Result]:
        return [Result(student, task.key, c.name, verdict, message, hint) for c in task.checks]

    path = folder / f"{task.key}.ipynb"
    if not path.is_file():
        return each("missing", f"there is no {task.key}.ipynb in the folder",
                    "hand in every notebook of the pack, under its own name")
    try:
        code = _student_cells(path)
    except ValueError as e:
        return each("error", str(e), "download the notebook again from Jupyter (File › "
                    "Download) and do not edit the file by hand")
    prelude = ([f"from nn.teaching.kernel import limit_memory\nlimit_memory({memory})"]
               if memory else [])
    keep_from = len(prelude) + len(code)
    outputs, ended = _execute([*prelude, *code, *_grader_cells(task, student)], keep_from,
                              timeout)
    results = []
    for check, cell_outputs in zip(task.checks, outputs[keep_from + 1:]):
        found = _verdict_of(cell_outputs)
        if found is not None:
            results.append(Result(student, task.key, check.name, str(found.get("verdict")),
                                  str(found.get("message", "")), str(found.get("hint", "")),
                                  tuple(str(d) for d in found.get("details", ()))))
        elif ended == "timeout":
            results.append(Result(student, task.key, check.name, "timeout",
                                  f"the notebook ran past its limit of {timeout:g} s",
                                  "look for a loop that never ends, or a very slow step"))
        elif ended == "died":
            results.append(Result(student, task.key, check.name, "error",
                                  "the kernel died (out of memory? exit()?)",
                                  "run the notebook top to bottom: does it finish?"))
        else:
            results.append(Result(student, task.key, check.name, "error",
                                  "the check showed no verdict", "do not redefine ex or display"))
    return results


def _timed(folder: Path, task: Task, timeout: float,
           memory: int | None) -> tuple[list[Result], float]:
    start = time.monotonic()
    results = grade_notebook(folder, task, timeout, memory)
    return results, time.monotonic() - start


def grade(folders: Sequence[Path], todo: Sequence[Task], timeout: float,
          memory: int | None = None, jobs: int = 1) -> list[StudentGrade]:
    """Grade each folder (named by the student's id), ``jobs`` notebooks at a time.

    The grades are sorted by student id, each student's results in the order of ``todo``;
    ``seconds`` is the sum of the student's notebooks' times.
    """
    work = [(folder, task) for folder in folders for task in todo]
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        done = list(pool.map(lambda w: _timed(w[0], w[1], timeout, memory), work))
    except BaseException:  # Ctrl-C, SIGTERM: stop now, not after the notebooks running
        pool.shutdown(wait=False, cancel_futures=True)
        _kill_running()
        raise
    pool.shutdown()
    grades = {folder.name: StudentGrade(folder.name) for folder in folders}
    for (folder, _), (results, seconds) in zip(work, done):
        grades[folder.name].results += results
        grades[folder.name].seconds += seconds
    return sorted(grades.values(), key=lambda g: g.student)
