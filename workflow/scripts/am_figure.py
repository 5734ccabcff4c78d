"""One AM figure of the registry (figures/figNN_<slug>.png/.pdf) from the runs it reads."""



from tdvae_am.am import AMResult
from tdvae_am.experiments.study import unit_classes
from tdvae_am.files import check_file, load_json, load_npz
from tdvae_am.logs import setup_job_logging
from tdvae_am.plots import am as plots
from tdvae_am.plots.style import save_figure

log = setup_job_logging(snakemake.log[0])
spec = snakemake.params.spec
classes = unit_classes(load_json(snakemake.input.units))
if spec.get("classes"):
    classes = {u: c for u, c in classes.items() if c in spec["classes"]}
runs = []
for path in snakemake.input.arrays:  # each .npz with its .json
    result = AMResult.load(check_file(path))
    runs.append(plots.Run(result.summary["label"], result))
title = spec.get("title") or (runs[0].result.summary["title"] if runs else "")
kind = spec["kind"]
if kind == "sta":
    ref = load_npz(snakemake.input.reference_arrays)
    fig = plots.sta_figure(ref["sta"], ref["sta_gabor"], load_json(snakemake.input.reference), classes, title)
elif kind == "images":
    fig = plots.images_figure(runs, classes, title, columns=spec.get("columns", "variants"),
                              samples=spec.get("samples", False))
elif kind == "traces":
    fig = plots.traces_figure(runs, classes, spec["metrics"], title, images=spec.get("images", False))
elif kind == "kernels":
    fig = plots.kernels_figure(runs[0], classes, title)
else:
    fig = plots.spectra_figure(runs[0], classes, title)
save_figure(fig, snakemake.output.png)
log.info("%s (%s) from %d runs", snakemake.wildcards.figure, kind, len(runs))
