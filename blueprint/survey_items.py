"""The item map of a survey as a file: ``items: {id: {criterion, step, text}}`` (YAML or JSON).

A light model (no pandas) so that its JSON Schema ships beside the blueprint's (``blueprint schema
--kind survey_items``): editors check an item map as they check a blueprint. :func:`blueprint.survey.read_items` reads a file with it.

>>> ItemMapFile.model_validate({"items": {"11": {"step": "answer"}}}).items["11"].step
'answer'
"""

from __future__ import annotations

from pydantic import Field

from .base import Model

__all__ = ["ItemMapFile", "ItemSpec"]


class ItemSpec(Model):
    """One survey item: its criterion (left out for a standard item number 1 to 22), the blueprint step it is
    about and its text."""

    criterion: str | None = Field(None, min_length=1, description="the criterion it measures, e.g. responsiveness "
                                                                  "(the standard one for items 1 to 22)")
    step: str | None = Field(None, min_length=1, description="the blueprint step the question is about")
    text: str | None = Field(None, description="the question, in short")


class ItemMapFile(Model):
    """A survey's items, by id."""

    items: dict[str, ItemSpec | None] = Field(min_length=1, description="each item's criterion, step and text, by id")
