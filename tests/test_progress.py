"""Progress bars only where a person watches: a terminal or Jupyter; never in pipes, logs or saved notebooks.

Each case runs in a fresh process whose standard error is what a user would have: a pipe (a script
whose output goes to a log), a pseudo-terminal (someone at a terminal), or a Jupyter kernel run by
nbclient (the saved notebook's outputs are read back). ``PROGRESS_AFTER`` is set to 0 in the child so
that the automatic bar would appear at once if it appeared at all.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent(
    """
    import sys, time
    import simulate.executors as ex
    ex.PROGRESS_AFTER = 0.0
    progress = {"auto": None, "on": True, "off": False}[sys.argv[1]]
    print("where:", ex.watched(), flush=True)
    print(ex.execute(time.sleep, [(0.02,)] * 4, executor="serial", progress=progress, desc="waiting"), flush=True)
    """
)


def _piped(progress: str) -> tuple[str, str]:
    """The script's standard output and standard error (carriage returns kept) when both go to pipes."""
    proc = subprocess.run([sys.executable, "-c", SCRIPT, progress], capture_output=True, cwd=ROOT, timeout=120, check=True)
    return proc.stdout.decode(), proc.stderr.decode()


def test_no_bar_in_a_pipe() -> None:
    out, err = _piped("auto")
    assert "where: None" in out
    assert err == ""  # not a carriage return, not a line


def test_a_bar_in_a_pipe_when_asked() -> None:
    out, err = _piped("on")
    assert "\r" in err and "waiting" in err and "4/4" in err


def test_simulate_run_in_a_script_writes_nothing_to_stderr() -> None:
    code = textwrap.dedent(
        """
        import blueprint, simulate, simulate.executors as ex
        ex.PROGRESS_AFTER = 0.0
        r = simulate.run(blueprint.load("examples/coffee_shop.yaml"), days=0.3, replications=3, seed=1, executor="serial")
        print(len(r.replications))
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300, check=True)
    assert proc.stdout.strip() == "3" and "\r" not in proc.stderr and proc.stderr == ""


def _in_terminal(progress: str) -> str:
    """Run the script with standard error on a pseudo-terminal; what it wrote there."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, progress], stdout=subprocess.PIPE, stderr=child, cwd=ROOT, text=True)
    os.close(child)
    seen = b""
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(main)
    out, _ = proc.communicate(timeout=60)
    assert "where: terminal" in out
    return seen.decode("utf-8", "replace")


def test_a_bar_in_a_terminal_removed_when_done() -> None:
    shown = _in_terminal("auto")
    assert "waiting" in shown and "replication" in shown
    assert shown.split("\r")[-2].strip() == ""  # leave=False: the bar's line is blanked at the end


def test_a_bar_asked_for_in_a_terminal_stays() -> None:
    shown = _in_terminal("on")
    assert "4/4" in shown.split("\r")[-2]


def test_no_bar_in_a_terminal_when_turned_off() -> None:
    assert _in_terminal("off") == ""


def test_jupyter_bar_is_a_widget_that_leaves_nothing_in_the_saved_notebook(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipywidgets")
    cells = [
        "import time\nimport simulate.executors as ex\nex.PROGRESS_AFTER = 0.0\nprint('where:', ex.watched())",
        "ex.execute(time.sleep, [(0.05,)] * 3, executor='serial', progress=True, desc='waiting');",
        "ex.execute(time.sleep, [(0.05,)] * 3, executor='serial', progress=None, desc='waiting');",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    assert "where: jupyter" in nb.cells[0].outputs[0]["text"]
    for cell in nb.cells[1:]:
        assert [out["output_type"] for out in cell.outputs] == ["display_data"]  # the bar was shown ...
        for out in cell.outputs:
            assert out.get("output_type") != "stream", out  # no text bar on stderr
            data = out.get("data", {})
            assert "application/vnd.jupyter.widget-view+json" not in data, out
            assert all(not str(v).strip() for v in data.values()), out  # ... and emptied when done
