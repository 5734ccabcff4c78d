"""Every figure of the registry against what the paper's figure shows (Freund 2023, Figs.
11-33: captions and the text around them) and the runs other modules read by name."""

import inspect
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from tdvae_am.am import parse_config
from tdvae_am.experiments.registry import figure_runs, load_registry, resolve_run
from tdvae_am.experiments.tuning import variant_groups
from tdvae_am.models import TDVAE

REGISTRY = Path(__file__).resolve().parents[2] / "config" / "experiments.yaml"

# ELBO weights mapped to this model (config/experiments.yaml header): the original divided the
# ELBO summed over a batch of B images by 128, with sigma_x = 1.15 instead of 0.4
SIGMA_SCALE = (0.4 / 1.15) ** 2
K_PIXEL = 5 / 128 * SIGMA_SCALE             # pixel AM: batches of 5 images
VALIDATION = ["objective", "activation", "elbo", "max_other"]     # Sec. 3.8.1, Fig. 21
SNAPSHOTS = [5, 10, 50, 100, 250]                                 # Fig. 17 columns
TEXTURE = ["texture_sensitive"]
JITTER = {"name": "jitter", "shift": 3}
# T+D and transformation-with-ELBO runs calibrate the weight at the start (median gradient ratio 1):
# the weight mapped like the pixel ones (batches of 128: 0.121) gave a ratio of 24 on the trained model
PAPER_TD = {"parametrization.std": 0.6, "parametrization.learn_std": None, "grad.0.exponent": 0.4,
            "obj.0.name": "elbo", "obj.0.calibrate": 1.0, "obj.0.sign": "paper_intent"}


@dataclass(frozen=True)
class Paper:
    """What one paper figure shows.

    ``swept``: dotted paths into a run's resolved AM config; ``values``: per drawn variant (in
    column order) the values at those paths; ``drawn``: the figure entry's layout keys;
    ``method``: parametrization per experiment; ``fixed``: path -> value held by every run drawn.
    """

    experiments: tuple = ()
    method: dict = field(default_factory=dict)
    swept: tuple = ()
    values: dict = field(default_factory=dict)
    drawn: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)


def ladder(weights, k, sign):
    return {f"w{str(w).replace('.', '')}": ("elbo", w * k, sign) for w in weights}


PAPER = {
    # Fig. 11: STA and its activation per unit
    "fig11_sta": Paper(drawn={"kind": "sta"}),
    # Fig. 12: pixel AM without regularization, images over iterations; our contrast budget is a
    # post-step normalization, so the unbudgeted run is drawn too
    "fig12_pixel": Paper(
        ("pixel",), {"pixel": "pixel"}, ("budget",),
        {"plain": ({"norm": "std", "value": 1.0, "mode": "ball"},), "unbudgeted": (None,)},
        {"kind": "images", "columns": "snapshots"},
        {"snapshots": SNAPSHOTS, "pre": [], "grad": [], "obj": [], "post": []}),
    # Fig. 13 (Sec. 4.2.1): R_pre jitter, random scaling, normalization
    "fig13_pixel_pre": Paper(
        ("pixel_pre",), {"pixel_pre": "pixel"}, ("pre",),
        {"none": ([],), "jitter": ([JITTER],), "scale": ([{"name": "scale", "min": 0.9, "max": 1.1}],),
         "normalize": ([{"name": "normalize", "norm": "std", "value": 1.0}],),
         "combined": ([JITTER, {"name": "scale", "min": 0.9, "max": 1.1},
                       {"name": "normalize", "norm": "std", "value": 1.0}],)},
        {"kind": "images"}),
    # Fig. 14 (Sec. 4.2.2): Gaussian blur, bilateral filter, TV denoising after each step
    "fig14_pixel_post": Paper(
        ("pixel_post",), {"pixel_post": "pixel"}, ("post.0.name",),
        {"none": (None,), "blur": ("blur",), "bilateral": ("bilateral",), "tv": ("tv",)}, {"kind": "images"}),
    # Fig. 15 (Sec. 4.2.3): 1/|f|^gamma gradient filter (gamma = 2 x exponent), with the original's 0.05
    "fig15_pixel_grad": Paper(
        ("pixel_grad",), {"pixel_grad": "pixel"}, ("grad.0.exponent",),
        {"g0": (0.0,), "g01": (0.05,), "g025": (0.125,), "g05": (0.25,), "g1": (0.5,), "g2": (1.0,)},
        {"kind": "images"}),
    # Fig. 16 (Sec. 4.2.4): ELBO weight 0, 0.5, 1, 1.5, 2 (mapped), and TV in the objective
    "fig16_pixel_elbo": Paper(
        ("pixel_elbo",), {"pixel_elbo": "pixel"}, ("obj.0.name", "obj.0.weight", "obj.0.sign"),
        {**ladder([0, 0.5, 1, 1.5, 2], K_PIXEL, "paper_intent"), "tv": ("tv", 0.05, None)}, {"kind": "images"}),
    "fig16_pixel_elbo_original_sign": Paper(
        ("pixel_elbo_original_sign",), {"pixel_elbo_original_sign": "pixel"},
        ("obj.0.name", "obj.0.weight", "obj.0.sign"), ladder([0, 0.5, 1, 1.5, 2], K_PIXEL, "original_code_bug"),
        {"kind": "images"}),
    # Fig. 17 (Sec. 4.2.5): SGD, MEI, RMSprop, Adam after 5-250 iterations, each at its best step size
    "fig17_optimizers": Paper(
        ("optimizers",), {"optimizers": "pixel"}, ("optimizer.name", "optimizer.lr"),
        {**{f"sgd_1e{e}": ("sgd", 10.0**e) for e in range(-2, 5)},
         **{f"mei_1e{e}": ("mei", 10.0**e) for e in range(-4, 1)},
         **{f"rmsprop_1e{e}": ("rmsprop", 10.0**e) for e in range(-4, 2)},
         **{f"adam_1e{e}": ("adam", 10.0**e) for e in range(-3, 3)}},
        {"kind": "images", "columns": "snapshots", "tuned": True}, {"snapshots": SNAPSHOTS}),
    # Fig. 18 (Sec. 4.2.6): correlation, cosine similarity, Euclidean distance between samples
    "fig18_diversity": Paper(
        ("diversity",), {"diversity": "pixel"}, ("obj.0.metric",),
        {"none": (None,), "correlation": ("correlation",), "cosine": ("cosine",), "euclidean": ("euclidean",)},
        {"kind": "samples"}, {"parametrization.n_samples": 4}),
    # Figs. 19-21 (Sec. 4.3.1): learnable std; mean |std| over iterations, images, validation metrics
    "fig19_learnable_std_trace": Paper(
        ("distribution_learnable",), {"distribution_learnable": "distribution"}, ("parametrization.family",),
        {"normal": ("normal",), "laplace": ("laplace",)}, {"kind": "traces", "metrics": ["std", "activation"]},
        {"parametrization.learn_std": True}),
    "fig20_distribution_learnable": Paper(
        ("distribution_learnable",), {"distribution_learnable": "distribution"}, ("parametrization.family",),
        {"normal": ("normal",), "laplace": ("laplace",)}, {"kind": "images"}, {"parametrization.learn_std": True}),
    "fig21_validation_metrics": Paper(
        ("distribution_learnable",), {"distribution_learnable": "distribution"}, ("parametrization.family",),
        {"normal": ("normal",)},
        {"kind": "unit_traces", "metrics": VALIDATION, "units_per_class": 1, "select": "success"},
        {"parametrization.learn_std": True}),
    # Figs. 22-23 (Sec. 4.3.2): fixed std with jitter and a strong gradient filter; two texture units' metrics
    "fig22_distribution_fixed": Paper(
        ("distribution_fixed",), {"distribution_fixed": "distribution"}, ("parametrization.family",),
        {"normal": ("normal",), "laplace": ("laplace",)}, {"kind": "images"},
        {"parametrization.learn_std": False, "parametrization.std": 0.6, "parametrization.n_samples": 128,
         "pre": [JITTER], "grad.0.exponent": 0.5, "optimizer.name": "adam", "optimizer.schedule.name": "step"}),
    "fig23_distribution_fixed_failure": Paper(
        ("distribution_fixed",), {"distribution_fixed": "distribution"}, ("parametrization.family",),
        {"normal": ("normal",)},
        {"kind": "unit_traces", "metrics": VALIDATION, "classes": TEXTURE, "units_per_class": 2},
        {"parametrization.learn_std": False, "grad.0.exponent": 0.5}),
    # Figs. 24-25 (Sec. 4.4): one conv kernel or a CNN with the gradient filter; with / without ELBO
    "fig24_transformation": Paper(
        ("transformation",), {"transformation": "transformation"}, ("parametrization.hidden",),
        {"conv": ([],), "cnn": ([8, 8],)}, {"kind": "images"}, {"grad.0.exponent": 0.4, "steps": 1000}),
    "fig25_transformation_elbo": Paper(
        ("transformation_elbo",), {"transformation_elbo": "transformation"}, ("obj.0.name", "obj.0.weight",
                                                                              "obj.0.calibrate"),
        {"w0": ("elbo", 0.0, None), "w1": ("elbo", None, 1.0)},
        {"kind": "unit_traces", "metrics": VALIDATION, "classes": TEXTURE, "units_per_class": 1},
        {"parametrization.hidden": [], "grad": [], "steps": 1000}),
    # Figs. 26-29 (Sec. 4.5): T+D with a fixed std, the ELBO term and the gradient filter; one
    # configuration's restarts, the kernel sweep, the 11x11 kernels, the 2x2 spectra blocks (of every
    # kernel size the scorecard scores)
    "fig26_transformation_distribution": Paper(
        ("transformation_distribution",), {"transformation_distribution": "transformation_distribution"}, (),
        {"paper": ()}, {"kind": "images", "columns": "restarts"}, PAPER_TD),
    "fig27_kernel_size": Paper(
        ("kernel_size",), {"kernel_size": "transformation_distribution"}, ("parametrization.kernel_size",),
        {f"k{k}": (k,) for k in (5, 7, 9, 11, 13)}, {"kind": "images"}, PAPER_TD),
    "fig28_kernels": Paper(
        ("kernel_size",), {"kernel_size": "transformation_distribution"}, ("parametrization.kernel_size",),
        {"k11": (11,)}, {"kind": "kernels"}, PAPER_TD),
    "fig29_spectra": Paper(
        ("kernel_size",), {"kernel_size": "transformation_distribution"}, ("parametrization.kernel_size",),
        {f"k{k}": (k,) for k in (5, 7, 9, 11, 13)}, {"kind": "spectra"}, PAPER_TD),
    # Figs. 30-31 (Sec. 4.6.1): one-hot z2 (value 10), mean of p(z1|z2) / z1 sampled
    "fig30_onehot_mean": Paper(
        ("onehot_synthesis",), {"onehot_synthesis": "generator"}, ("parametrization.sample",),
        {"mean": (False,)}, {"kind": "images"},
        {"steps": 0, "parametrization.init": "onehot", "parametrization.value": 10.0}),
    "fig31_onehot_sample": Paper(
        ("onehot_synthesis",), {"onehot_synthesis": "generator"}, ("parametrization.sample",),
        {"sample": (True,)}, {"kind": "samples"},
        {"steps": 0, "parametrization.init": "onehot", "parametrization.value": 10.0}),
    # Fig. 32 (Sec. 4.6.2): z2 code, one-hot init (value 5), samples with z1 and x sampled
    "fig32_z2_space": Paper(
        ("z2_space",), {"z2_space": "generator"}, ("parametrization.init",),
        {"onehot": ("onehot",), "prior_mean": ("prior_mean",)}, {"kind": "samples", "mean": True, "count": 3},
        {"parametrization.value": 5.0, "parametrization.sample": True, "parametrization.x_noise": 0.4}),
    # Fig. 33 (Sec. 4.6.3): z1 code from a one-hot z2 (value 5), beside pixel AM
    "fig33_z1_space": Paper(
        ("z1_space", "pixel"), {"z1_space": "generator", "pixel": "pixel"}, ("parametrization.value",),
        {"onehot_z2": (5.0,), "plain": (None,)}, {"kind": "images"}),
    # supplementary: findings 10, 12a and 13 (Sec. 4.5) at one common optimizer and length, every restart
    "figS6_method_stability": Paper(
        ("method_stability",), {}, ("parametrization.name",),
        {m: (m,) for m in ("pixel", "distribution", "transformation", "transformation_distribution")},
        {"kind": "images", "columns": "restarts"}, {"optimizer": {"name": "mei", "lr": 0.01}, "steps": 250}),
}
# top-down vs chain (issue #15): the paper figures of the methods that carry its interpretation,
# drawn for the TDVAE and the chain VAE side by side, each in the paper figure's layout
CHAIN_FIGURES = {"figC1_sta": ("fig11_sta", None), "figC2_pixel_jitter": ("fig13_pixel_pre", ["none", "jitter"]),
                 "figC3_distribution_fixed": ("fig22_distribution_fixed", None),
                 "figC4_transformation_distribution": ("fig26_transformation_distribution", None),
                 "figC5_onehot_mean": ("fig30_onehot_mean", None), "figC6_onehot_sample": ("fig31_onehot_sample", None),
                 "figC7_z2_space": ("fig32_z2_space", None)}
for chain_figure, (paper_figure, shown) in CHAIN_FIGURES.items():
    paper = PAPER[paper_figure]
    PAPER[chain_figure] = replace(paper, values={v: paper.values[v] for v in shown or paper.values},
                                  drawn={**paper.drawn, "models": ["tdvae", "chain"]})
LAYOUT_DEFAULTS = {"columns": "variants", "tuned": False, "count": None, "mean": False, "models": None,
                   "select": "first"}


def lookup(config: dict, path: str):
    """The value at a dotted path (list indices as numbers), None where it is absent."""
    for key in path.split("."):
        if isinstance(config, list):
            config = config[int(key)] if int(key) < len(config) else None
        elif isinstance(config, dict):
            config = config.get(key)
        if config is None:
            return None
    return config


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and a == pytest.approx(b, rel=1e-3, abs=1e-12)
    return a == b


@pytest.fixture(scope="module")
def registry():
    return load_registry(REGISTRY)


def test_every_registry_figure_is_a_paper_figure_and_back(registry):
    assert set(registry["figures"]) == set(PAPER)
    assert {int(name[3:5]) for name in PAPER if name[3].isdigit()} == set(range(11, 34))


@pytest.mark.parametrize("figure", list(CHAIN_FIGURES))
def test_chain_figures_repeat_the_paper_figure_on_both_models(registry, figure):
    paper_figure, shown = CHAIN_FIGURES[figure]
    spec, paper = registry["figures"][figure], registry["figures"][paper_figure]
    assert spec["models"] == ["tdvae", "chain"]
    layout = {k: v for k, v in spec.items() if k not in ("models", "variants")}
    assert layout == {k: v for k, v in paper.items() if k != "variants"}, figure
    runs = figure_runs(registry, figure)
    assert runs == [r for r in figure_runs(registry, paper_figure) if shown is None or r[1] in shown]


@pytest.mark.parametrize("figure", list(PAPER))
def test_figure_matches_the_paper(registry, figure):
    paper, spec = PAPER[figure], registry["figures"][figure]
    for key, value in paper.drawn.items():
        assert spec.get(key, LAYOUT_DEFAULTS.get(key)) == value, (figure, key)
    for key, default in LAYOUT_DEFAULTS.items():
        if key not in paper.drawn:
            assert spec.get(key, default) == default, (figure, key)
    for key in ("metrics", "classes", "units_per_class"):
        assert spec.get(key) == paper.drawn.get(key), (figure, key)
    runs = figure_runs(registry, figure)
    assert tuple(dict.fromkeys(e for e, _ in runs)) == paper.experiments
    assert [v for _, v in runs] == list(paper.values)
    for exp, variant in runs:
        am = parse_config(resolve_run(registry, exp, variant)["am"]).config        # defaults filled in
        if paper.method:
            assert am["parametrization"]["name"] == paper.method[exp], (exp, variant)
        for path, expected in zip(paper.swept, paper.values[variant], strict=True):
            assert same(lookup(am, path), expected), (exp, variant, path, lookup(am, path), expected)
        for path, expected in paper.fixed.items():
            assert same(lookup(am, path), expected), (exp, variant, path, lookup(am, path), expected)


def test_the_swept_setting_differs_between_the_drawn_variants():
    for figure, paper in PAPER.items():
        if len(paper.values) > 1:
            assert len({repr(v) for v in paper.values.values()}) == len(paper.values), figure


def test_z2_space_x_noise_is_the_tdvae_observation_noise(registry):
    sigma_x = inspect.signature(TDVAE.__init__).parameters["sigma_x"].default
    assert resolve_run(registry, "z2_space", "onehot")["am"]["parametrization"]["x_noise"] == sigma_x == 0.4


def test_runs_other_modules_read_by_name(registry):
    """The experiment / variant names of the interface with the scorecard."""
    names = {
        "pixel": ["plain", "unbudgeted"],
        "pixel_post": ["none", "blur", "bilateral", "tv"],
        "pixel_grad": ["g0", "g01", "g025", "g05", "g1", "g2"],
        "diversity": ["none", "correlation", "cosine", "euclidean"],
        "distribution_learnable": ["normal", "laplace"],
        "distribution_fixed": ["normal", "laplace"],
        "transformation": ["conv", "cnn"],
        "transformation_elbo": ["w0", "w1"],
        "transformation_distribution": ["paper"],
        "kernel_size": ["k5", "k7", "k9", "k11", "k13"],
        "onehot_synthesis": ["mean", "sample"],
        "z2_space": ["onehot", "prior_mean"],
        "z1_space": ["onehot_z2"],
        "method_stability": ["pixel", "distribution", "transformation", "transformation_distribution"],
    }
    for exp, variants in names.items():
        assert list(registry["experiments"][exp]["variants"]) == variants, exp
    assert {"none", "jitter"} <= set(registry["experiments"]["pixel_pre"]["variants"])
    for exp in ("pixel_elbo", "pixel_elbo_original_sign"):
        weights = []
        for variant in registry["experiments"][exp]["variants"]:
            obj = resolve_run(registry, exp, variant)["am"]["obj"]
            elbo = [term for term in obj if term["name"] == "elbo"]
            assert len(elbo) == (0 if variant == "tv" else 1), (exp, variant)
            weights += [term["weight"] for term in elbo]
        assert weights == sorted(weights) and len(set(weights)) == len(weights) == 5, exp
    assert "tv" in registry["experiments"]["pixel_elbo"]["variants"]
    for exp in ("pixel_pre", "distribution_fixed", "transformation_distribution", "onehot_synthesis", "z2_space"):
        assert registry["experiments"][exp]["models"] == ["tdvae", "chain"], exp   # the top-down vs chain section


def test_optimizer_groups_are_learning_rate_sweeps_including_the_untuned_rate(registry):
    groups = variant_groups(registry, "optimizers")
    assert list(groups) == ["sgd", "mei", "rmsprop", "adam"]
    for group, variants in groups.items():
        lrs = [resolve_run(registry, "optimizers", v)["am"]["optimizer"]["lr"] for v in variants]
        names = {resolve_run(registry, "optimizers", v)["am"]["optimizer"]["name"] for v in variants}
        assert names == {group} and len(lrs) >= 3 and 0.01 in lrs and lrs == sorted(lrs), group
        assert variants == [f"{group}_{lr:.0e}".replace("e-0", "e-").replace("e+0", "e") for lr in lrs]


def test_method_stability_runs_each_method_as_registered_at_one_optimizer_and_length(registry):
    sources = {"pixel": ("pixel", "plain"), "distribution": ("distribution_fixed", "normal"),
               "transformation": ("transformation", "conv"),
               "transformation_distribution": ("transformation_distribution", "paper")}
    optimizers, steps = [], []
    for variant, (exp, source_variant) in sources.items():
        run = resolve_run(registry, "method_stability", variant)["am"]
        source = resolve_run(registry, exp, source_variant)["am"]
        optimizers.append(run.pop("optimizer"))
        steps.append(run.pop("steps"))
        source.pop("optimizer"), source.pop("steps")
        source["parametrization"].pop("family", None)       # the distribution's default family (normal)
        assert run == source, variant
    assert all(opt == {"name": "mei", "lr": 0.01} for opt in optimizers) and set(steps) == {250}
