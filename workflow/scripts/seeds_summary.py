"""The model claims and unit counts over seeds (results/seeds/summary.json) and their figure."""

import json
from pathlib import Path

from tdvae_am.files import load_json
from tdvae_am.logs import setup_job_logging
from tdvae_am.plots.seeds import seeds_figure
from tdvae_am.plots.style import save_figure
from tdvae_am.scorecard.confirmation import across_seeds

log = setup_job_logging(snakemake.log[0])
summary = across_seeds([load_json(p) for p in snakemake.input.records])
Path(snakemake.output.summary).write_text(json.dumps(summary, indent=1))
save_figure(seeds_figure(summary), snakemake.output.png)
for claim_id, claim in summary["claims"].items():
    log.info("%-4s replicated on %d of %d seeds, mean %.3g %s", claim_id, claim["replicated"],
             len(summary["seeds"]), claim["mean"], claim["interval"])
