"""The example files ship with the package and are one set of files.

``blueprint.examples`` finds them wherever Python runs (a checkout, an installed wheel, a Jupyter kernel
started in ``notebooks/``); the YAML files live in ``blueprint/examples/`` and every
``examples/<name>.yaml`` of the repository is a link to one of them, so README and command-line paths
work and the two folders cannot drift apart.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import blueprint
from blueprint import BlueprintFileError

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "blueprint" / "examples"
REPO_DIR = ROOT / "examples"
EXPECTED = {"clinic.yaml", "coffee_shop.yaml", "contact_center.yaml", "contact_center.scenarios.yaml",
            "contact_center.shifts.yaml", "hotel.yaml"}


def test_names_lists_the_files_in_the_package_folder() -> None:
    names = blueprint.examples.names()
    assert names == sorted(names)
    assert set(names) == {p.name for p in PACKAGE_DIR.iterdir() if p.suffix in (".yaml", ".csv")}
    assert EXPECTED <= set(names)


def test_path_is_absolute_and_found_from_any_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in blueprint.examples.names():
        p = blueprint.examples.path(name)
        assert p.is_absolute() and p.is_file() and p.samefile(PACKAGE_DIR / name)
    assert blueprint.examples.path("hotel") == blueprint.examples.path("hotel.yaml")
    assert blueprint.examples.folder().samefile(PACKAGE_DIR)


def test_example_files_load_from_another_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scenarios file names its blueprint relative to itself; the shift templates name its roles."""
    from simulate.scenarios import load_scenarios
    from simulate.staffing.shifts.templates import load_templates

    monkeypatch.chdir(tmp_path)
    bp = blueprint.load(blueprint.examples.path("contact_center.yaml"))
    # no blueprint= given: the file's own "blueprint: contact_center.yaml" is read beside it, and applied
    scenarios = load_scenarios(blueprint.examples.path("contact_center.scenarios.yaml"))
    assert [s.name for s in scenarios] == [s.name for s in load_scenarios(REPO_DIR / "contact_center.scenarios.yaml", blueprint=bp)]
    assert load_templates(blueprint.examples.path("contact_center.shifts.yaml"), role="first_line").names


def test_an_unknown_name_lists_the_examples() -> None:
    with pytest.raises(BlueprintFileError, match=r"no example file named 'nope\.yaml'.*contact_center\.yaml"):
        blueprint.examples.path("nope.yaml")
    with pytest.raises(BlueprintFileError):
        blueprint.examples.path("../examples/hotel.yaml")  # only names, never paths


def test_repository_examples_link_to_the_package_files() -> None:
    """One copy of each file: examples/<name>.yaml is a symbolic link into blueprint/examples/ (a file
    saved over a link, or an example added in one folder only, fails here)."""
    repo = {p.name: p for p in REPO_DIR.iterdir() if p.suffix in (".yaml", ".yml", ".json", ".csv")}
    assert set(repo) == set(blueprint.examples.names()), "examples/ and blueprint/examples/ hold different files"
    for name, p in repo.items():
        assert p.is_symlink(), f"examples/{name} is a copy; make it a link: ln -sf ../blueprint/examples/{name} examples/{name}"
        assert os.readlink(p) == f"../blueprint/examples/{name}"  # relative, so it works in every checkout
        assert p.samefile(PACKAGE_DIR / name)


def test_the_package_data_ships_every_example() -> None:
    """pyproject.toml's package data names the files a wheel carries (checked by hand with
    ``pip install .`` into an empty venv: blueprint/examples/*.yaml are installed)."""
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["blueprint"]
    shipped = {p.name for pattern in patterns for p in (ROOT / "blueprint").glob(pattern) if p.parent == PACKAGE_DIR}
    assert shipped == set(blueprint.examples.names())
    assert not [p for p in PACKAGE_DIR.iterdir() if p.suffix in (".png", ".svg")], "drawings stay in examples/"
