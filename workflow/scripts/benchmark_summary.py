"""Every job's benchmark record in one table, and wall time and peak memory per phase."""

from pathlib import Path

from tdvae_am.logs import setup_job_logging
from tdvae_am.plots.benchmarks import benchmark_figure, benchmark_table, phase_summary
from tdvae_am.plots.style import save_figure

log = setup_job_logging(snakemake.log[0])
optional = sorted(str(p) for d in snakemake.params.optional for p in Path(d).rglob("*.tsv"))
if optional:
    log.info("adding %d records of jobs outside the default target: %s", len(optional), snakemake.params.optional)
table = benchmark_table([*snakemake.input.benchmarks, *optional], snakemake.params.phases)
table.to_csv(snakemake.output.table, index=False)
log.info("per phase:\n%s", phase_summary(table).to_string(index=False))
save_figure(benchmark_figure(table), snakemake.output.png)
