"""write_atomic: durable, atomic, mode-preserving writes that leave nothing behind."""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from micrograd_like import files
from micrograd_like.files import write_atomic

fcntl = pytest.importorskip("fcntl", reason="sweeping and SIGTERM cleanup are POSIX features")

ROOT = Path(__file__).resolve().parents[1]
OLD = b"old " * 1000
CHUNK = b"new " * 12_500  # 50 kB
CHUNKS = 20

# A child that overwrites TARGET slowly (20 chunks, 5 ms apart) and says "go" on stdout
# once the first chunk is written, so the parent can kill it in the middle of the save.
_SLOW_WRITER = textwrap.dedent(f"""
    import sys, time
    sys.path.insert(0, {str(ROOT)!r})
    from micrograd_like.files import Terminated, sigterm_as_exit, write_atomic

    def slow(f):
        for i in range({CHUNKS}):
            f.write({CHUNK!r})
            if i == 0:
                f.flush()
                print("go", flush=True)
            time.sleep(0.005)

    try:
        with sigterm_as_exit():
            write_atomic(sys.argv[1], slow)
    except Terminated:
        sys.exit(143)
""")


def _start_writer(target: Path) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(target)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline() == "go\n"
    return child


def _temporaries(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def _slow(f, go_fd: int) -> None:
    for i in range(CHUNKS):
        f.write(CHUNK)
        if i == 0:
            f.flush()
            os.write(go_fd, b"g")
        time.sleep(0.005)


def _fork_writer(target: Path) -> int:
    """A forked child overwriting ``target`` slowly; returns once it is mid-write."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write, then leave at once (no pytest teardown)
        try:
            os.close(r)
            write_atomic(target, lambda f: _slow(f, w))
        finally:
            os._exit(0)
    os.close(w)
    assert os.read(r, 1) == b"g"
    os.close(r)
    return pid


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_killing_the_writer_at_random_moments_never_leaves_a_torn_file(tmp_path):
    target = tmp_path / "model.json"
    target.write_bytes(OLD)
    rng = random.Random(14)
    for _ in range(20):
        pid = _fork_writer(target)
        time.sleep(rng.uniform(0.0, 0.12))  # the write takes about 0.1 s
        os.kill(pid, signal.SIGKILL)  # no cleanup can run
        os.waitpid(pid, 0)
        assert target.read_bytes() in (OLD, CHUNK * CHUNKS)
    # some kills did land mid-write: their temporary files are still there (documented)
    assert _temporaries(tmp_path)


def test_write_atomic_fsyncs_the_file_before_the_rename_and_the_directory_after(
        tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append("fsync dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    def replace(src, dst):
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_atomic(tmp_path / "a.bin", lambda f: f.write(b"x"))
    assert events == ["fsync file", "replace", "fsync dir"]


def test_sigterm_inside_sigterm_as_exit_removes_the_temporary_file(tmp_path):
    target = tmp_path / "model.json"
    target.write_bytes(OLD)
    child = _start_writer(target)
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=30) == 143
    assert target.read_bytes() == OLD
    assert _temporaries(tmp_path) == []


def test_sigterm_as_exit_puts_the_previous_handler_back():
    before = signal.getsignal(signal.SIGTERM)
    with files.sigterm_as_exit():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before


def _leftover(directory: Path, target: str, age: float = 3600.0) -> Path:
    path = directory / f".{target}.{'0123456789abcdef'}.tmp"
    path.write_bytes(b"half")
    old = time.time() - age
    os.utime(path, (old, old))
    return path


def test_the_next_write_sweeps_a_stale_leftover_of_the_same_target(tmp_path):
    stale = _leftover(tmp_path, "m.json")
    write_atomic(tmp_path / "m.json", lambda f: f.write(b"new"))
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


def test_the_sweep_leaves_files_that_are_not_ours_or_not_stale(tmp_path):
    kept = [
        _leftover(tmp_path, "other.json"),  # another target's
        _leftover(tmp_path, "m.json", age=0.0),  # fresh: a writer may be about to lock it
        tmp_path / ".m.json.backup.tmp",  # not our pattern
        tmp_path / ".m.json.0123456789ABCDEF.tmp",  # not our pattern (upper case)
    ]
    kept[2].write_bytes(b"keep")
    kept[3].write_bytes(b"keep")
    write_atomic(tmp_path / "m.json", lambda f: f.write(b"new"))
    assert all(p.exists() for p in kept)


def test_the_sweep_leaves_a_leftover_locked_by_a_live_writer(tmp_path):
    busy = _leftover(tmp_path, "m.json")
    fd = os.open(busy, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # what a live writer holds
        write_atomic(tmp_path / "m.json", lambda f: f.write(b"new"))
        assert busy.exists()
    finally:
        os.close(fd)


def test_the_sweep_does_not_follow_or_remove_a_symlink(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    link = tmp_path / ".m.json.0123456789abcdef.tmp"
    link.symlink_to(victim)
    write_atomic(tmp_path / "m.json", lambda f: f.write(b"new"))
    assert link.is_symlink()
    assert victim.read_bytes() == b"precious"


def test_saving_over_a_private_file_keeps_it_private(tmp_path):
    target = tmp_path / "secret.json"
    target.write_bytes(OLD)
    target.chmod(0o600)
    modes = []
    write_atomic(target, lambda f: modes.append(stat.S_IMODE(os.fstat(f.fileno()).st_mode)))
    assert modes == [0o600]  # private while it is written, too
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_saving_over_a_file_keeps_its_mode_even_when_wider_than_the_umask(tmp_path):
    target = tmp_path / "shared.json"
    target.write_bytes(OLD)
    target.chmod(0o664)
    write_atomic(target, lambda f: f.write(b"new"))
    assert stat.S_IMODE(target.stat().st_mode) == 0o664


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_a_new_file_gets_0666_less_the_umask(tmp_path, umask):
    previous = os.umask(umask)
    try:
        write_atomic(tmp_path / "new.json", lambda f: f.write(b"new"))
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o666 & ~umask


def test_write_atomic_never_changes_the_umask(tmp_path, monkeypatch):
    # os.umask(0) to read the umask opens a window in which other threads create
    # world-writable files; write_atomic must not need it
    def no_umask(mask):
        raise AssertionError(f"os.umask({mask:#o}) called")

    monkeypatch.setattr(os, "umask", no_umask)
    write_atomic(tmp_path / "new.json", lambda f: f.write(b"new"))
    (tmp_path / "new.json").chmod(0o600)
    write_atomic(tmp_path / "new.json", lambda f: f.write(b"newer"))


def test_a_file_system_without_locks_still_gets_the_write(tmp_path, monkeypatch):
    def no_locks(fd, operation):
        raise OSError(37, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    write_atomic(tmp_path / "m.json", lambda f: f.write(b"new"))
    assert (tmp_path / "m.json").read_bytes() == b"new"


@pytest.mark.parametrize("make", [os.mkfifo, os.mkdir])
def test_a_pipe_or_directory_at_the_target_is_refused_not_replaced(tmp_path, make):
    target = tmp_path / "special"
    make(target)
    kind = stat.S_IFMT(target.lstat().st_mode)
    with pytest.raises(OSError, match="write_atomic replaces only regular files"):
        write_atomic(target, lambda f: f.write(b"new"))
    assert stat.S_IFMT(target.lstat().st_mode) == kind  # still the pipe / directory
    assert sorted(p.name for p in tmp_path.iterdir()) == ["special"]


def test_a_device_is_refused_so_dev_null_is_never_replaced(tmp_path, monkeypatch):
    # not run against /dev/null itself: as root that would be the very damage guarded against
    device = tmp_path / "pretend-device"
    device.write_bytes(OLD)
    real_lstat = os.lstat

    def as_device(path, *args, **kwargs):
        st = real_lstat(path, *args, **kwargs)
        if str(path).endswith("pretend-device"):
            return os.stat_result((stat.S_IFCHR | 0o666, *st[1:]))
        return st

    monkeypatch.setattr(os, "lstat", as_device)
    with pytest.raises(OSError, match="not a regular file"):
        write_atomic(device, lambda f: f.write(b"x"))
    assert device.read_bytes() == OLD and sorted(tmp_path.iterdir()) == [device]


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_bytes(OLD)
    real.chmod(0o600)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert write_atomic(link, lambda f: f.write(b"new")) == link
    assert link.is_symlink() and real.read_bytes() == b"new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
