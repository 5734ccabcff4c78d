"""Fig. 4 from the data stage's outputs."""


from tdvae_am.data.patches import load_patch_set
from tdvae_am.files import load_npy, load_npz
from tdvae_am.logs import setup_job_logging
from tdvae_am.plots.data import data_figure
from tdvae_am.plots.style import save_figure

setup_job_logging(snakemake.log[0])
families = snakemake.params.families
natural, _ = load_patch_set(snakemake.input.natural)
textures, _ = load_patch_set(snakemake.input.textures)
seeds = {f: load_npy(p) for f, p in zip(families, snakemake.input.seeds)}
synth = {f: load_npz(p)["image"] for f, p in zip(families, snakemake.input.synth)}
patches = {f: textures["patches"][textures["family"] == i] for i, f in enumerate(families)}
save_figure(data_figure(natural["train"], seeds, synth, patches), snakemake.output.png)
