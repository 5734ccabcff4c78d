"""The AM figures of the registry, one type per kind (``figures:`` of config/experiments.yaml).

Each kind declares its options once (a pydantic model), the runs it reads, its layout
(:mod:`tdvae_am.plots.am`) and the part of its caption that says what the layout shows; the
registry's schema of a figure entry is generated from them (workflow/schemas/figure.schema.json,
``python -m tdvae_am.experiments.figures``). workflow/scripts/am_figure.py looks a figure's type
up by its ``kind``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import Field, TypeAdapter

from tdvae_am.am.schema import registry_form, write_schema
from tdvae_am.am.spec import Spec
from tdvae_am.plots import am as plots

#: Where the schema of a figure entry is committed, relative to the repository root.
SCHEMA_FILE = Path("workflow/schemas/figure.schema.json")

Slug = Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$")]
Variant = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")]
UnitClass = Literal["texture_sensitive", "non_texture_sensitive"]

#: how image panels are scaled (tdvae_am.plots.am._image_row)
GREY_SCALE = "The image panels of a row share one grey scale, symmetric about 0, shown by the colour bar at its end."


class Figure(Spec):
    """Options every kind has: the figure's ``title`` (default: its first experiment's), the
    ``models`` it draws side by side and the unit ``classes`` it shows (default: all)."""

    title: str | None = None
    models: list[Slug] = Field(["tdvae"], min_length=1, description="one block per model, side by side")
    classes: list[UnitClass] | None = Field(None, description="the unit classes shown (default: all)")
    #: whether the layout reads the units' reference measurements (STA) rather than AM runs
    reads_reference: ClassVar[bool] = False
    #: whether its image panels print a run's ELBO gradient ratio r (:func:`tdvae_am.plots.am._tags`)
    prints_ratio: ClassVar[bool] = False

    def runs(self, experiments: dict) -> list[tuple[str, str]]:
        """The ``(experiment, variant)`` pairs the figure reads, from the registry's ``experiments``."""
        return []

    def layout(self, runs: list, classes: dict, reference: tuple | None = None) -> plots.Layout:
        """The figure body of one model: its ``runs`` (:class:`~tdvae_am.plots.am.Run`), studied
        ``classes`` (unit -> class, in row order) and, for a kind that reads it, its ``reference``
        ``(arrays, summary)``."""
        raise NotImplementedError

    def describe(self) -> str:
        """What the layout shows, for the caption."""
        raise NotImplementedError


class RunsFigure(Figure):
    """A figure of AM runs: every variant of its ``experiments``, or those named in ``variants``."""

    experiments: list[Slug] = Field(min_length=1)
    variants: list[Variant] | None = Field(None, min_length=1)

    def runs(self, experiments: dict) -> list[tuple[str, str]]:
        return [(e, v) for e in self.experiments for v in experiments[e]["variants"]
                if self.variants is None or v in self.variants]


class StaFigure(Figure):
    """Spike-triggered averages of white noise per studied unit and their best Gabor fits."""

    kind: Literal["sta"] = "sta"
    reads_reference: ClassVar[bool] = True

    def layout(self, runs, classes, reference=None):
        arrays, summary = reference
        return plots.sta_layout(arrays["sta"], arrays["sta_gabor"], summary, classes)

    def describe(self) -> str:
        return ("Spike-triggered average of white noise per studied unit (columns: texture-sensitive, then "
                "non-texture-sensitive), its best Gabor fit and the unit's activation to the STA scaled to unit "
                "pixel std. " + GREY_SCALE)


IMAGE_COLUMNS = {
    "variants": "the swept setting; each panel is restart 0's final image",
    "snapshots": "each run's images after the snapshot iterations (restart 0)",
    "restarts": "every restart of each run (final images)",
}


class ImagesFigure(RunsFigure):
    """Final images, rows = units; columns: the runs, each run's snapshots or its restarts; with
    ``tuned`` only each group's best variant (:mod:`tdvae_am.experiments.tuning`)."""

    kind: Literal["images"] = "images"
    prints_ratio: ClassVar[bool] = True
    columns: Literal[tuple(IMAGE_COLUMNS)] = "variants"
    tuned: bool = Field(False, description="only each group's best variant (tdvae_am.experiments.tuning)")

    def layout(self, runs, classes, reference=None):
        return plots.images_layout(runs, classes, self.columns)

    def describe(self) -> str:
        columns = IMAGE_COLUMNS[self.columns]
        if self.tuned:
            columns += (", for each group only the variant with the highest mean over units of the per-unit rank "
                        "of the restart-mean final activation (tdvae_am.experiments.tuning)")
        return f"Rows: studied units by class; columns: {columns}. {PANEL_TAGS}"


PANEL_TAGS = "The unit's activation (a) is printed on the panels. " + GREY_SCALE


class SamplesFigure(RunsFigure):
    """The samples a(.) saw in restart 0 of each run (rows = units): the first ``count`` (all by
    default), after the representative image with ``mean``."""

    kind: Literal["samples"] = "samples"
    prints_ratio: ClassVar[bool] = True
    count: int | None = Field(None, ge=1, description="how many samples of restart 0 (default: all)")
    mean: bool = Field(False, description="the representative image before the samples")

    def layout(self, runs, classes, reference=None):
        return plots.samples_layout(runs, classes, self.count, self.mean)

    def describe(self) -> str:
        shown = "every sample" if self.count is None else f"the first {self.count} samples"
        columns = ("the representative image and " if self.mean else "") + f"{shown} of restart 0 of each run"
        return f"Rows: studied units by class; columns: {columns}. {PANEL_TAGS}"


class TracesFigure(RunsFigure):
    """Per-iteration ``metrics`` of every unit (rows = metrics, columns = runs), with the final
    images below them when ``images``."""

    kind: Literal["traces"] = "traces"
    metrics: list[str] = Field(min_length=1)
    images: bool = Field(False, description="the final images under the traces")

    def layout(self, runs, classes, reference=None):
        return plots.traces_layout(runs, classes, self.metrics, images=self.images)

    def describe(self) -> str:
        return ("Per-iteration metrics of every studied unit (mean over restarts; texture-sensitive units in orange, "
                "non-texture-sensitive in blue), one column per variant.")


UNIT_SELECTION = {
    "first": "The first units of each class.",
    "success": "Units: per class the unit(s) whose chains (every restart of the runs shown) succeed most often by "
               "the runs' success rule (paper Sec. 3.8.1; by default: converged, final activation at least 1 and "
               "above its start, largest other z2 unit at most half of it; the count is in the column title), ties "
               "broken by the mean final activation; in a class where no chain succeeds, the unit(s) with the "
               "highest mean final activation, which the column title says.",
}


class UnitTracesFigure(RunsFigure):
    """The paper's validation plots: per unit and run, the ``metrics`` of every restart over the
    final image; ``units_per_class`` units of each class (all by default), picked by ``select``."""

    kind: Literal["unit_traces"] = "unit_traces"
    prints_ratio: ClassVar[bool] = True
    metrics: list[str] = Field(min_length=1)
    units_per_class: int | None = Field(None, ge=1, description="how many units of each class (default: all)")
    select: Literal[tuple(UNIT_SELECTION)] = Field(
        "first", description="each class's first units, or its most successful (tdvae_am.plots.am.pick_units)")

    def layout(self, runs, classes, reference=None):
        return plots.unit_traces_layout(runs, classes, self.metrics, units_per_class=self.units_per_class,
                                        select=self.select)

    def describe(self) -> str:
        text = ("One column per unit and variant: the per-iteration metrics of each restart (restart 0 solid) and, "
                "at the bottom, restart 0's final image with its activation (a). " + GREY_SCALE)
        return f"{text} {UNIT_SELECTION[self.select]}" if self.units_per_class else text


class KernelsFigure(RunsFigure):
    """The learned first-layer kernels of a transformation run (its first run), per unit."""

    kind: Literal["kernels"] = "kernels"

    def layout(self, runs, classes, reference=None):
        return plots.kernels_layout(runs[0], classes)

    def describe(self) -> str:
        return "Learned convolution kernels of transformation+distribution AM, per unit (restart 0). " + GREY_SCALE


class SpectraFigure(RunsFigure):
    """The learned and transformed inputs of transformation runs with their amplitude spectra."""

    kind: Literal["spectra"] = "spectra"

    def layout(self, runs, classes, reference=None):
        return plots.spectra_layout(runs, classes)

    def describe(self) -> str:
        return ("One 2x2 block per unit (restart 0): the learned input and the transformed input (bottom) and their "
                "amplitude spectra (top, log scale, one colour scale for the figure) with normalized spectral "
                "entropies (H); one row of blocks per class and variant. " + GREY_SCALE)


FigureSpec = Annotated[StaFigure | ImagesFigure | SamplesFigure | TracesFigure | UnitTracesFigure | KernelsFigure
                       | SpectraFigure, Field(discriminator="kind")]
FIGURE = TypeAdapter(FigureSpec)


def figure_spec(entry: dict) -> Figure:
    """A registry figure entry as its kind's type (entries are validated with the registry)."""
    return FIGURE.validate_python(entry)


def figure_schema() -> dict:
    """The JSON schema (draft 2020-12) of a figure entry of the registry."""
    schema = registry_form(FIGURE.json_schema(), partial=False)
    schema["description"] = ("A figure of the experiment registry, one type per kind; generated from "
                             "tdvae_am.experiments.figures by python -m tdvae_am.experiments.figures.")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


if __name__ == "__main__":
    write_schema(SCHEMA_FILE, figure_schema(), "python -m tdvae_am.experiments.figures")
