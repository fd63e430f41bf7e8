"""Notices of a ``/series`` reply: facts about the experiment the values alone do not say."""

from __future__ import annotations

from pydantic import BaseModel, Field

from .fields import Event


class StepSwitch(BaseModel):
    """The fields to set on the scheduler to see torch's own stepping instead."""

    stepping: str
    event: Event


class SeriesNotice(BaseModel):
    """A torch scheduler run as ignite runs it (``LRScheduler``, stepping "ignite") whose values
    differ from those torch gives when it steps the scheduler by itself in a plain loop
    (``scheduler.step()`` after each iteration, or epoch: the ``switch``)."""

    kind: str = Field("torch_stepping", description="What the notice is about.")
    scheduler: int = Field(description="Index of the scheduler in the experiment's schedulers.")
    torch_type: str = Field(description="The wrapped torch scheduler's type.")
    switch: StepSwitch = Field(description="The scheduler's fields giving torch's own stepping.")
    first_event: int | None = Field(
        description="First event (iteration) where the two differ; null: could not be compared."
    )
    max_abs_diff: float | None = Field(description="Largest absolute difference over all series.")
    message: str
