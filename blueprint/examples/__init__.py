"""The example files shipped with the package: blueprints, shift templates, scenarios and a survey.

The YAML files in this folder are the canonical copies; the repository's
``examples/`` folder links to them (and holds their drawings), so a checkout and
a plain ``pip install`` find the same files. Use :func:`path` rather than a path
relative to the working directory, which depends on where Python or Jupyter
was started:

>>> import blueprint
>>> bp = blueprint.load(blueprint.examples.path("coffee_shop.yaml"))
>>> isinstance(bp, blueprint.Blueprint)
True
>>> "contact_center.shifts.yaml" in blueprint.examples.names()
True

A scenarios file names its blueprint by a path relative to itself, so
``contact_center.scenarios.yaml`` finds ``contact_center.yaml`` beside it.
"""

from __future__ import annotations

from pathlib import Path

from blueprint.errors import BlueprintFileError

__all__ = ["folder", "names", "path"]

_SUFFIX = ".yaml"
_SUFFIXES = (".yaml", ".csv")  # blueprints and their companions; survey tables


def folder() -> Path:
    """The folder that holds the example files (inside the installed package).

    >>> (folder() / "hotel.yaml").is_file()
    True
    """
    return Path(__file__).resolve().parent


def names() -> list[str]:
    """The file names of all examples, sorted: blueprints and their companion files.

    Companion files carry a second suffix: ``<name>.shifts.yaml`` (shift
    templates), ``<name>.scenarios.yaml`` (scenarios), ``<name>.survey.csv`` (a survey, with
    ``.survey_weights.csv`` and ``.survey_items.yaml``).

    >>> [n for n in names() if n.startswith("contact_center")]
    ['contact_center.scenarios.yaml', 'contact_center.shifts.yaml', 'contact_center.yaml']
    """
    return sorted(p.name for p in folder().iterdir() if p.suffix in _SUFFIXES)


def path(name: str) -> Path:
    """The absolute path of the example file ``name`` (``.yaml`` may be left off).

    Raises :class:`~blueprint.BlueprintFileError` naming the examples there are
    when there is no such file.

    >>> path("contact_center").name
    'contact_center.yaml'
    >>> path("contact_center.shifts.yaml").is_absolute()
    True
    >>> path("nope")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    blueprint.errors.BlueprintFileError: no example file named 'nope'; the examples are: bilingual_hotline.scenarios.yaml, ...
    """
    file_name = name if name.endswith(_SUFFIXES) else name + _SUFFIX
    available = names()
    if file_name not in available:
        raise BlueprintFileError(f"no example file named {name!r}; the examples are: {', '.join(available)}")
    return folder() / file_name
