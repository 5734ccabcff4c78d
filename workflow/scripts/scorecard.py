"""The replication scorecard (results/scorecard.json: the rows, the seed and the version of the rules
that made them), its DVC metric and its figure."""

from pathlib import Path

from tdvae_am.files import load_json
from tdvae_am.logs import setup_job_logging
from tdvae_am.plots.scorecard import scorecard_figure
from tdvae_am.plots.style import save_figure
from tdvae_am.scorecard.confirmation import provenance
from tdvae_am.scorecard.findings import build_scorecard, totals, write_json

log = setup_job_logging(snakemake.log[0])
inp = snakemake.input
units = load_json(inp.units)
models = {m: load_json(p) for m, p in zip(snakemake.params.models, inp.decoding)}
reference = load_json(inp.reference)
chain = None
if inp.chain:  # the chain VAE's units, reference and runs: the top-down vs chain comparisons
    chain_units, chain_reference = (load_json(p) for p in inp.chain[:2])
    chain = (Path(inp.chain[1]).parent, chain_units, chain_reference)
card = build_scorecard(Path(inp.reference).parent, units, reference, models, snakemake.params.experiments, chain)
rules = provenance(Path(snakemake.config["am"]["experiments"]), {"units": snakemake.config["units"]})
write_json({"seed": snakemake.config["seed"], **rules, "rows": card}, snakemake.output.scorecard)
count = totals(card)
write_json(count, snakemake.output.metrics)
save_figure(scorecard_figure(card), snakemake.output.png)
for row in card:
    log.info("%-4s %-15s %-15s %s", row["id"], row["section"], row["verdict"], row["finding"])
log.info("totals %s; rules %s", count, rules)
