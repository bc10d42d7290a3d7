"""Outputs are written with the user's umask (readable by colleagues when the umask says so),
and a file that is replaced keeps its own mode."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import blueprint
from blueprint.files import current_umask, write_atomically

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "coffee_shop.yaml"


@pytest.fixture(params=[0o022, 0o002, 0o077], ids=lambda m: f"umask {m:03o}")
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_current_umask_reads_the_process_umask(umask: int) -> None:
    assert current_umask() == umask
    assert current_umask() == umask  # reading it left it as it was


def test_new_file_gets_0666_less_the_umask(tmp_path: Path, umask: int) -> None:
    plain = tmp_path / "plain.txt"
    with open(plain, "w") as fh:  # what any other program would make
        fh.write("x")
    target = tmp_path / "sub" / "out.txt"
    write_atomically(target, b"data")
    assert _mode(target) == _mode(plain) == 0o666 & ~umask
    exclusive = tmp_path / "exclusive.txt"
    write_atomically(exclusive, b"data", overwrite=False)
    assert _mode(exclusive) == 0o666 & ~umask


def test_replaced_file_keeps_its_mode(tmp_path: Path, umask: int) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_atomically(target, b"new")
    assert target.read_text() == "new"
    assert _mode(target) == 0o640


def test_saved_blueprint_and_diagram_follow_the_umask(tmp_path: Path, umask: int) -> None:
    bp = blueprint.load(EXAMPLE)
    saved = bp.save(tmp_path / "shop.yaml")
    assert _mode(saved) == 0o666 & ~umask
    as_json = bp.save(tmp_path / "shop.json")
    assert _mode(as_json) == 0o666 & ~umask
    svg = bp.render().save(tmp_path / "shop.svg")
    assert _mode(svg) == 0o666 & ~umask


def test_simulation_outputs_follow_the_umask(tmp_path: Path, umask: int) -> None:
    import simulate

    results = simulate.run(blueprint.load(EXAMPLE), replications=2, seed=1, record_events=True, progress=False)
    for path in (results.save(tmp_path / "r.json"), results.save_events(tmp_path / "events.csv")):
        assert _mode(path) == 0o666 & ~umask, path.name


def test_saving_through_a_symbolic_link_replaces_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    """The examples are links into the package; saving one from Python edits the file it points to."""
    real = tmp_path / "package" / "shop.yaml"
    real.parent.mkdir()
    real.write_text("# the shop\nname: Shop\nsteps:\n  - label: Pay  # at the till\n    lane: customer\n")
    link = tmp_path / "shop.yaml"
    link.symlink_to(Path("package") / "shop.yaml")
    bp = blueprint.load(link)
    bp.step("pay").duration = "2 min"
    bp.save(link)
    assert link.is_symlink() and os.readlink(link) == str(Path("package") / "shop.yaml")
    text = real.read_text()
    assert "# at the till" in text and "2 min" in text
    assert blueprint.load(link) == bp
