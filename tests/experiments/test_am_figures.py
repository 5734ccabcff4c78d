"""The AM figure layouts (tdvae_am.plots.am) on synthetic results: which panels each draws, alone
and side by side for two models (also through workflow/scripts/am_figure.py)."""

import json
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tdvae_am.am import AMResult
from tdvae_am.plots import am as plots
from tdvae_am.plots.style import TITLE

ROOT = Path(__file__).resolve().parents[2]
UNITS = [7, 3, 1, 9, 4]
CLASSES = {7: "texture_sensitive", 3: "texture_sensitive", 1: "non_texture_sensitive", 9: "non_texture_sensitive",
           4: "non_texture_sensitive"}
CHAIN_CLASSES = {12: "texture_sensitive", 5: "non_texture_sensitive", 8: "non_texture_sensitive"}  # fewer units
U, R, S, T, SIDE = len(UNITS), 3, 4, 12, 16


def result(label="run", traces=("objective", "activation", "elbo", "max_other"), seed=0, units=UNITS,
           **summary) -> plots.Run:
    rng = np.random.default_rng(seed)
    u = len(units)
    final = rng.normal(size=(u, R))
    return plots.Run(label, AMResult(
        units=np.array(units), images=rng.normal(size=(u, R, 1, SIDE, SIDE)),
        best_images=rng.normal(size=(u, R, 1, SIDE, SIDE)), samples=rng.normal(size=(u, R, S, SIDE, SIDE)),
        traces={name: rng.normal(size=(T, u, R)) for name in traces},
        params={"input": rng.normal(size=(u, R, 1, SIDE, SIDE)), "kernel0": rng.normal(size=(u, R, 1, 1, 5, 5))},
        summary={"final_activation": final.tolist(), "label": label, **summary}))


def block_axes(fig) -> list:
    """The axes of a figure or subfigure and of every subfigure inside it, in drawing order."""
    return [*fig.axes, *(ax for sub in fig.subfigs for ax in block_axes(sub))]


def block_titles(fig) -> list:
    """The titles of a figure's subfigures, outermost first."""
    return [t for sub in fig.subfigs for t in [sub.get_suptitle(), *block_titles(sub)] if t]


def tags(ax) -> list:
    return [t.get_text() for t in ax.texts]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_restart_columns_show_every_restart_with_its_activation():
    runs = [result("a"), result("b", seed=1)]
    fig = plots.figure(plots.images_layout(runs, CLASSES, columns="restarts"), "t")
    axes = np.array(fig.axes).reshape(U, 2 * R)
    assert [ax.get_title() for ax in axes[0]] == [f"{n}\nrestart {r}" for n in "ab" for r in (1, 2, 3)]
    final = np.asarray(runs[1].result.summary["final_activation"])
    row = runs[1].result.rows([9])[0]
    assert tags(axes[3, R + 2]) == [f"a={final[row, 2]:.2f}"]
    np.testing.assert_array_equal(axes[3, R + 2].images[0].get_array(), runs[1].result.images[row, 2, 0])


def test_long_column_titles_wrap_to_the_panel_width():
    fig = plots.figure(plots.images_layout([result("jitter + scale + normalize")], CLASSES), "t")
    assert fig.axes[0].get_title() == "jitter + scale\n+ normalize"


def test_mean_and_the_first_samples():
    run = result()
    fig = plots.figure(plots.samples_layout([run], CLASSES, count=2, mean=True), "t")
    axes = np.array(fig.axes).reshape(U, 3)
    assert [ax.get_title() for ax in axes[0]] == ["run\nmean", "run\nsample 1", "run\nsample 2"]
    assert tags(axes[0, 0]) and not tags(axes[0, 1]) and not tags(axes[0, 2])
    np.testing.assert_array_equal(axes[1, 2].images[0].get_array(), run.result.samples[1, 0, 1])
    every = plots.figure(plots.samples_layout([run], CLASSES), "t")
    assert len(every.axes) == U * S and tags(every.axes[0])


def test_unit_traces_one_column_per_selected_unit_and_run():
    runs = [result("with"), result("without", traces=("objective", "activation"), seed=2)]
    metrics = ["objective", "activation", "elbo"]
    fig = plots.figure(plots.unit_traces_layout(runs, CLASSES, metrics, units_per_class=1), "t")
    axes = np.array(fig.axes).reshape(len(metrics) + 1, 4)
    assert [ax.get_title() for ax in axes[0]] == ["with\ntexture unit 7", "with\nnon-texture unit 1",
                                                  "without\ntexture unit 7", "without\nnon-texture unit 1"]
    row = runs[0].result.rows([1])[0]
    lines = axes[1, 1].get_lines()                                   # activation, every restart
    assert len(lines) == R
    np.testing.assert_allclose(lines[2].get_ydata(), runs[0].result.traces["activation"][:, row, 2])
    assert tags(axes[2, 3]) == ["elbo: not recorded"]
    assert tags(axes[3, 0])[0].startswith("a=")                       # final image with its activation
    texture = {u: c for u, c in CLASSES.items() if c == "texture_sensitive"}
    two = plots.figure(plots.unit_traces_layout(runs[:1], texture, metrics, units_per_class=2), "t")
    assert len(two.axes) == (len(metrics) + 1) * 2


def test_traces_one_panel_per_metric_and_run_with_the_final_images_below():
    runs = [result("normal"), result("laplace", traces=("std",), seed=1)]
    fig = plots.figure(plots.traces_layout(runs, CLASSES, ["std", "activation"], images=True), "t")
    traces, images = (np.array(block_axes(sub)) for sub in fig.subfigs)
    traces = traces.reshape(2, 2)
    assert [ax.get_title() for ax in traces[0]] == ["normal", "laplace"]
    assert tags(traces[0, 0]) == ["std: not recorded"] and tags(traces[1, 1]) == ["activation: not recorded"]
    assert len(traces[0, 1].get_lines()) == U and len(traces[1, 0].get_lines()) == U
    assert not traces[0, 1].spines["top"].get_visible()                      # despined
    images = images.reshape(2, U)
    assert images[1, 0].get_ylabel() == "laplace" and tags(images[1, 0])[0].startswith("a=")
    kernels = plots.figure(plots.kernels_layout(runs[0], CLASSES), "t")
    assert [ax.get_title() for ax in kernels.axes] == [f"{plots.CLASS_SHORT[c]}\nunit {u}" for u, c in CLASSES.items()]


def test_spectra_in_2x2_blocks_per_unit():
    run = result()
    fig = plots.figure(plots.spectra_layout([run], CLASSES), "t")
    axes = np.array(fig.axes).reshape(4, 6)                           # 2 classes x (2 rows); 3 blocks x 2 columns
    visible = np.array([[ax.axison for ax in row] for row in axes])
    assert visible[:2, :4].all() and not visible[:2, 4:].any() and visible[2:].all()
    assert axes[0, 0].get_title() == "unit 7: input" and axes[2, 4].get_title() == "unit 4: input"
    assert axes[0, 0].get_ylabel() == "texture\nspectrum" and axes[3, 0].get_ylabel() == "non-texture\nimage"
    assert tags(axes[0, 1])[0].startswith("H=") and tags(axes[1, 1])[0].startswith("a=") and not tags(axes[1, 0])
    row = run.result.rows([3])[0]
    np.testing.assert_array_equal(axes[1, 2].images[0].get_array(), run.result.params["input"][row, 0, 0])
    np.testing.assert_array_equal(axes[1, 3].images[0].get_array(), run.result.images[row, 0, 0])


def test_the_elbo_gradient_ratio_is_printed_where_the_run_has_one():
    run = result()
    ratio = np.full((U, R), 0.25)
    run.result.summary["elbo_grad_ratio"] = ratio.tolist()
    fig = plots.figure(plots.images_layout([run, result("plain", seed=3)], CLASSES), "t")
    axes = np.array(fig.axes).reshape(U, 2)
    assert tags(axes[0, 0])[0].endswith("\nr=0.25") and "r=" not in tags(axes[0, 1])[0]
    fig = plots.figure(plots.unit_traces_layout([run], CLASSES, ["activation"], units_per_class=1), "t")
    assert tags(np.array(fig.axes).reshape(2, 2)[1, 0])[0].endswith("\nr=0.25")


def test_side_by_side_draws_each_models_layout_at_its_natural_size_top_aligned():
    tdvae = [result("none"), result("jitter", seed=1)]
    chain = [result("none", seed=2, units=list(CHAIN_CLASSES)), result("jitter", seed=3, units=list(CHAIN_CLASSES))]
    layouts = [plots.images_layout(tdvae, CLASSES), plots.images_layout(chain, CHAIN_CLASSES)]
    fig = plots.side_by_side([("TDVAE", layouts[0]), ("chain VAE", layouts[1])], "Pixel AM")
    assert fig.get_suptitle() == "Pixel AM" and block_titles(fig) == ["TDVAE", "chain VAE"]
    np.testing.assert_allclose(fig.get_size_inches(), [layouts[0].size[0] + layouts[1].size[0],
                                                       layouts[0].size[1] + TITLE])
    left, right = fig.subfigs
    left, right = np.array(block_axes(left)).reshape(U, 2), np.array(block_axes(right)).reshape(3, 2)
    assert [ax.get_ylabel() for ax in left[:, 0]] == [f"{plots.CLASS_SHORT[c]}\nunit {u}" for u, c in CLASSES.items()]
    assert [ax.get_ylabel() for ax in right[:, 0]] == ["texture\nunit 12", "non-texture\nunit 5", "non-texture\nunit 8"]
    assert [ax.get_title() for ax in right[0]] == ["none", "jitter"]
    row = chain[1].result.rows([8])[0]
    np.testing.assert_array_equal(right[2, 1].images[0].get_array(), chain[1].result.images[row, 0, 0])
    assert tags(right[2, 1]) == [f"a={np.asarray(chain[1].result.summary['final_activation'])[row, 0]:.2f}"]
    fig.canvas.draw()
    box = {k: ax.get_window_extent() for k, ax in {"l": left[0, 0], "l1": left[0, 1], "r": right[0, 0]}.items()}
    assert box["r"].y1 == pytest.approx(box["l"].y1, abs=1)                  # top-aligned
    # panels of one size, not stretched to the taller block (within 5%: the layout engine fits each
    # block's labels, which differ in width, into its own block)
    assert box["r"].width == pytest.approx(box["l"].width, rel=0.05)
    assert box["r"].height == pytest.approx(box["l"].height, rel=0.05)
    assert box["l1"].x1 < box["r"].x0                                        # TDVAE left, chain right


def write_model_files(root: Path, model: str, classes: dict, runs: list, seed: int) -> dict:
    """A model's studied units, reference and runs as the workflow writes them; the script's inputs."""
    rng = np.random.default_rng(seed)
    units = list(classes)
    (root / model).mkdir(parents=True)
    files = {"units": root / model / "units.json", "reference": root / model / "reference.json",
             "reference_arrays": root / model / "reference.npz"}
    files["units"].write_text(json.dumps({c: [u for u in units if classes[u] == c]
                                          for c in ("texture_sensitive", "non_texture_sensitive")}))
    files["reference"].write_text(json.dumps({"units": units[::-1],
                                              "sta_activation": rng.normal(size=len(units)).tolist(),
                                              "sta_gabor_correlation": rng.uniform(size=len(units)).tolist()}))
    np.savez(files["reference_arrays"], sta=rng.normal(size=(len(units), SIDE, SIDE)),
             sta_gabor=rng.normal(size=(len(units), SIDE, SIDE)))
    saved = [run.result.save(root / model / "pixel_pre" / run.label) for run in runs]
    return {**{f"{key}_{model}": str(path) for key, path in files.items()},
            f"runs_{model}": [str(meta) for _, meta in saved], f"arrays_{model}": [str(npz) for npz, _ in saved]}


class Named(dict):
    """Snakemake's named inputs and outputs: by key and by attribute."""

    __getattr__ = dict.__getitem__


def run_am_figure(monkeypatch, tmp_path, spec: dict, inputs: dict, models: dict):
    """workflow/scripts/am_figure.py on ``inputs``; the figure it would save."""
    saved = []
    monkeypatch.setattr("tdvae_am.plots.style.save_figure", lambda fig, path: saved.append(fig))
    monkeypatch.setattr("tdvae_am.logs.setup_job_logging", lambda path: logging.getLogger("am_figure"))
    snakemake = SimpleNamespace(input=Named(inputs), output=Named(png=str(tmp_path / "fig.png")), log=["log"],
                                params=SimpleNamespace(spec=spec, models=models, groups={}),
                                wildcards=SimpleNamespace(figure="figC2_pixel_jitter"))
    runpy.run_path(str(ROOT / "workflow/scripts/am_figure.py"), init_globals={"snakemake": snakemake})
    return saved[0]


@pytest.fixture
def two_models(tmp_path):
    """Files of two models' studied units, references and pixel_pre runs (different units)."""
    summary = {"experiment": "pixel_pre", "title": "Pixel AM with R_pre"}
    tdvae = [result(v, seed=k, variant=v, **summary) for k, v in enumerate(("none", "jitter"))]
    chain = [result(v, seed=5 + k, units=list(CHAIN_CLASSES), variant=v, **summary)
             for k, v in enumerate(("none", "jitter"))]
    inputs = {**write_model_files(tmp_path, "tdvae", CLASSES, tdvae, 0),
              **write_model_files(tmp_path, "chain", CHAIN_CLASSES, chain, 1)}
    return inputs, chain


def test_the_figure_script_reads_each_models_own_files(monkeypatch, tmp_path, two_models):
    inputs, chain = two_models
    spec = {"kind": "images", "experiments": ["pixel_pre"], "variants": ["none", "jitter"],
            "models": ["tdvae", "chain"]}
    fig = run_am_figure(monkeypatch, tmp_path, spec, inputs, {"tdvae": "TDVAE", "chain": "chain VAE"})
    assert fig.get_suptitle() == ("Pixel AM with R_pre\nTDVAE: 2 texture, 3 non-texture units; "
                                  "chain VAE: 1 texture, 2 non-texture units")  # classes of unequal sizes
    assert block_titles(fig) == ["TDVAE", "chain VAE"]
    left, right = fig.subfigs
    right = np.array(block_axes(right)).reshape(len(CHAIN_CLASSES), 2)
    assert len(block_axes(left)) == U * 2 and right[0, 0].get_ylabel() == "texture\nunit 12"
    row = chain[0].result.rows([5])[0]
    np.testing.assert_array_equal(right[1, 0].images[0].get_array(), chain[0].result.images[row, 0, 0])
    alone = run_am_figure(monkeypatch, tmp_path, {k: v for k, v in spec.items() if k != "models"},
                          {k: v for k, v in inputs.items() if k.endswith("_tdvae")}, {"tdvae": "TDVAE"})
    assert not alone.subfigs and len(alone.axes) == U * 2
    assert alone.get_suptitle() == "Pixel AM with R_pre (2 texture, 3 non-texture units)"


def test_the_sta_figure_side_by_side(monkeypatch, tmp_path, two_models):
    inputs, _ = two_models
    fig = run_am_figure(monkeypatch, tmp_path, {"kind": "sta", "title": "STA", "models": ["tdvae", "chain"]},
                        {k: ([] if k.startswith(("runs", "arrays")) else v) for k, v in inputs.items()},
                        {"tdvae": "TDVAE", "chain": "chain VAE"})
    right = np.array(block_axes(fig.subfigs[1])).reshape(2, len(CHAIN_CLASSES))
    reference = json.loads(Path(inputs["reference_chain"]).read_text())
    i = reference["units"].index(8)                                   # the reference's own unit order
    sta = np.load(inputs["reference_arrays_chain"])["sta"]
    np.testing.assert_array_equal(right[0, 2].images[0].get_array(), sta[i])
    assert right[0, 2].get_title() == "non-texture\nunit 8"
    assert tags(right[1, 2]) == [f"r={reference['sta_gabor_correlation'][i]:.2f}"]


def test_class_note_names_the_class_sizes_where_they_differ():
    assert plots.class_note(CLASSES) == "2 texture, 3 non-texture units"
    assert plots.class_note({5: "non_texture_sensitive"}) == "0 texture, 1 non-texture units"
    assert plots.class_note({1: "texture_sensitive", 2: "non_texture_sensitive"}) == ""


def test_a_figure_of_a_class_without_units_says_so(monkeypatch, tmp_path):
    # a texture-unit figure (Figs. 23, 25) of a model whose classification found no texture-sensitive unit
    classes = {u: "non_texture_sensitive" for u in UNITS}
    runs = [result("normal", seed=1, variant="normal", experiment="pixel_pre", title="Fixed-std AM")]
    inputs = write_model_files(tmp_path, "tdvae", classes, runs, 0)
    spec = {"kind": "unit_traces", "experiments": ["pixel_pre"], "metrics": ["objective", "activation"],
            "classes": ["texture_sensitive"], "units_per_class": 2}
    fig = run_am_figure(monkeypatch, tmp_path, spec, inputs, {"tdvae": "TDVAE"})
    assert fig.get_suptitle() == "Fixed-std AM (0 texture, 5 non-texture units)"
    assert [t.get_text() for ax in fig.axes for t in ax.texts] == ["no texture-sensitive units among the studied units"]


def test_layouts_draw_a_class_of_one_unit_or_none():
    one = {7: "texture_sensitive", 1: "non_texture_sensitive", 9: "non_texture_sensitive", 4: "non_texture_sensitive"}
    run = result(units=list(one))
    fig = plots.figure(plots.unit_traces_layout([run], {7: "texture_sensitive"}, ["activation"], units_per_class=2),
                       "t")
    assert [ax.get_title() for ax in fig.axes[:1]] == ["run\ntexture unit 7"] and len(fig.axes) == 2
    fig = plots.figure(plots.spectra_layout([run], one), "t")
    axes = np.array(fig.axes).reshape(4, 6)                   # 2 classes x (2 rows); 3 blocks x 2 columns
    assert [ax.axison for ax in axes[0]] == [True, True, False, False, False, False]
    assert all(ax.axison for ax in axes[2])
    none = {u: c for u, c in one.items() if c == "non_texture_sensitive"}
    fig = plots.figure(plots.spectra_layout([run], none), "t")
    assert len(fig.axes) == 2 * 6 and fig.axes[0].get_ylabel() == "non-texture\nspectrum"


def test_a_multi_line_title_gets_room_above_the_blocks():
    layout = plots.images_layout([result()], CLASSES)
    fig = plots.side_by_side([("TDVAE", layout), ("chain VAE", layout)], "title\nTDVAE: 2 texture, 3 non-texture units")
    assert fig.get_size_inches()[1] == pytest.approx(layout.size[1] + 2 * TITLE)


def image_limits(ax) -> tuple:
    return ax.images[0].get_clim()


def colorbars(ax) -> list:
    """The colour bars drawn beside a panel (inset axes)."""
    return [child for child in ax.child_axes if child.images or child.collections]


def test_the_image_panels_of_a_row_share_one_symmetric_grey_scale_with_a_colour_bar():
    runs = [result("a"), result("b", seed=1)]
    runs[1].result.images[:, 1] *= 10                                       # one run's restart of far higher contrast
    fig = plots.figure(plots.images_layout(runs, CLASSES, columns="restarts"), "t")
    axes = np.array(fig.axes).reshape(U, 2 * R)
    for r, unit in enumerate(CLASSES):
        limits = {image_limits(ax) for ax in axes[r]}
        assert len(limits) == 1                                             # one scale per row
        low, high = limits.pop()
        images = [run.result.images[run.result.rows([unit])[0], k, 0] for run in runs for k in range(R)]
        assert high == -low == pytest.approx(max(np.abs(im).max() for im in images))
        assert [len(colorbars(ax)) for ax in axes[r]] == [0] * (2 * R - 1) + [1]   # its bar at the row's end
    assert image_limits(axes[0, 0]) != image_limits(axes[1, 0])
    traces = plots.figure(plots.unit_traces_layout(runs, CLASSES, ["activation"], units_per_class=1), "t")
    bottom = np.array(traces.axes).reshape(2, 4)[1]
    assert len({image_limits(ax) for ax in bottom}) == 1 and len(colorbars(bottom[-1])) == 1


def test_a_long_title_and_long_column_titles_do_not_overlap():
    label = "ELBO (weight 1: 0.121) + gradient filter"                      # Fig. 26: wrapped to five lines
    title = "Transformation + distribution AM (fixed std) with the ELBO term and the gradient filter"
    for fig in (plots.figure(plots.images_layout([result(label)], CLASSES, columns="restarts"), title),
                plots.side_by_side([(m, plots.images_layout([result(label)], CLASSES, columns="restarts"))
                                    for m in ("TDVAE", "chain VAE")], title)):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        axes = block_axes(fig)
        headers = [ax.title.get_window_extent(renderer) for ax in axes[:R]]
        tops = [t.get_window_extent(renderer) for t in [fig._suptitle, *(s._suptitle for s in fig.subfigs)] if t]
        assert all(box.y0 >= header.y1 for box in tops for header in headers)
        assert all(header.y0 >= axes[0].get_window_extent(renderer).y1 for header in headers)


def test_trace_panels_have_tick_labels_and_a_log_scale_only_over_decades():
    run = result()
    run.result.traces["elbo"] = -1000 - 300 * np.abs(run.result.traces["elbo"])      # within one decade
    wide = result("wide", seed=1)
    wide.result.traces["elbo"] = -(10.0 ** np.linspace(2, 8, T))[:, None, None] * np.ones((1, U, R))
    fig = plots.figure(plots.unit_traces_layout([run, wide], CLASSES, ["activation", "elbo"], units_per_class=1),
                       "t")
    axes = np.array(fig.axes).reshape(3, 4)
    fig.canvas.draw()
    assert [ax.get_yscale() for ax in axes[1]] == ["linear", "linear", "symlog", "symlog"]
    for ax in axes[:2].flat:
        assert sum(bool(t.get_text()) for t in ax.get_yticklabels() if t.get_visible()) >= 2, ax.get_ylabel()
    assert all(t.get_text() for t in axes[1, 0].get_xticklabels())


def test_success_rule_picks_per_class_the_most_successful_unit_and_says_when_none_succeeds():
    run = result("normal")
    success = np.zeros((U, R), bool)
    row = {u: run.result.rows([u])[0] for u in UNITS}
    success[row[9], :2] = success[row[4], 0] = True                             # non-texture: unit 9 most often
    run.result.summary["success"] = success.tolist()
    final = np.asarray(run.result.summary["final_activation"])
    texture_best = max((7, 3), key=lambda u: final[row[u]].mean())            # texture: none succeeds
    units, notes = plots.pick_units([run], CLASSES, 1, "success")
    assert units == [texture_best, 9]
    assert notes == {texture_best: "no chain succeeds: highest a", 9: "success 2/3"}
    assert plots.pick_units([run], CLASSES, 1) == ([7, 1], {})                  # the first of each class
    fig = plots.figure(plots.unit_traces_layout([run], CLASSES, ["activation"], units_per_class=1, select="success"),
                       "t")
    assert [ax.get_title() for ax in fig.axes[:2]] == [
        f"normal\ntexture unit {texture_best}\nno chain succeeds: highest a", "normal\nnon-texture unit 9\nsuccess 2/3"]
    # ties in the success rate: the higher mean final activation
    success[row[1]] = success[row[9]]
    run.result.summary["success"] = success.tolist()
    assert plots.pick_units([run], CLASSES, 1, "success")[0][1] == max((1, 9), key=lambda u: final[row[u]].mean())


def test_spectra_one_row_of_blocks_per_run_on_one_spectrum_scale():
    runs = [result("5x5"), result("11x11", seed=1)]
    fig = plots.figure(plots.spectra_layout(runs, CLASSES), "t")
    axes = np.array(fig.axes).reshape(8, 6)                           # 2 runs x 2 classes x 2 rows; 3 blocks x 2
    assert [axes[r, 0].get_ylabel() for r in (0, 3, 4, 7)] == [
        "5x5\ntexture\nspectrum", "5x5\nnon-texture\nimage", "11x11\ntexture\nspectrum", "11x11\nnon-texture\nimage"]
    row = runs[1].result.rows([1])[0]
    np.testing.assert_array_equal(axes[7, 1].images[0].get_array(), runs[1].result.images[row, 0, 0])
    assert len({image_limits(ax) for ax in axes[::2].flat if ax.images}) == 1         # the spectra: one scale
    assert len({image_limits(ax) for ax in axes[1, :4]}) == 1 and len(colorbars(axes[1, 3])) == 1
