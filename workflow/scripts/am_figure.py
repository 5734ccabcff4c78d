"""One AM figure of the registry (figures/figNN_<slug>, figSN_<slug> or figCN_<slug>, .png/.pdf) from
the runs it reads: its kind's layout (tdvae_am.experiments.figures), or one per model side by side
(inputs `<name>_<model>`), its title naming each model's class sizes where they differ; a note where
a figure's classes have no units."""

import numpy as np

from tdvae_am.am import AMResult
from tdvae_am.experiments.figures import figure_spec
from tdvae_am.experiments.study import unit_classes
from tdvae_am.experiments.tuning import best_variants
from tdvae_am.files import check_file, load_json, load_npz
from tdvae_am.logs import setup_job_logging
from tdvae_am.plots import am as plots
from tdvae_am.plots.style import save_figure

log = setup_job_logging(snakemake.log[0])
spec = figure_spec(snakemake.params.spec)


def model_layout(model: str) -> tuple:
    """The figure's layout of one model's runs, units and reference, with its runs and its
    class note (:func:`~tdvae_am.plots.am.class_note`)."""
    inputs = {key: snakemake.input[f"{key}_{model}"] for key in ("arrays", "units", "reference", "reference_arrays")}
    classes = unit_classes(load_json(inputs["units"]))
    note = plots.class_note(classes)
    if spec.classes:
        classes = {u: c for u, c in classes.items() if c in spec.classes}
    results = [AMResult.load(check_file(path)) for path in inputs["arrays"]]  # each .npz with its .json
    if getattr(spec, "tuned", False):  # each group's best variant, per experiment
        chosen = set()
        for exp, groups in snakemake.params.groups.items():
            acts = {r.summary["variant"]: np.asarray(r.summary["final_activation"]) for r in results
                    if r.summary["experiment"] == exp}
            chosen |= {(exp, v) for v in best_variants(groups, acts).values()}
        results = [r for r in results if (r.summary["experiment"], r.summary["variant"]) in chosen]
        log.info("%s: best variant of each group: %s", model, sorted(chosen))
    runs = [plots.Run(r.summary["label"], r) for r in results]
    if not classes:  # e.g. the texture units' figure of a model without texture-sensitive units
        names = " or ".join(c.replace("_", "-") for c in spec.classes or plots.CLASS_COLORS)
        return plots.note_layout(f"no {names} units among the studied units"), runs, note
    reference = (load_npz(inputs["reference_arrays"]), load_json(inputs["reference"])) if spec.reads_reference else None
    return spec.layout(runs, classes, reference), runs, note


labels = snakemake.params.models  # model -> label, in block order (left to right)
layouts, runs, notes = {}, {}, {}
for model in labels:
    layouts[model], runs[model], notes[model] = model_layout(model)
first = next(iter(labels))
title = spec.title or (runs[first][0].result.summary["title"] if runs[first] else "")
if len(labels) == 1:
    fig = plots.figure(layouts[first], f"{title} ({notes[first]})" if notes[first] else title)
else:
    noted = "; ".join(f"{labels[m]}: {notes[m]}" for m in labels if notes[m])
    fig = plots.side_by_side([(labels[m], layouts[m]) for m in labels], f"{title}\n{noted}" if noted else title)
save_figure(fig, snakemake.output.png)
log.info("%s (%s) from %s", snakemake.wildcards.figure, spec.kind,
         ", ".join(f"{len(runs[m])} runs of {m}" for m in labels))
