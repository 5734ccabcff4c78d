"""Image operations shared by the AM engine, the analysis tools and the scorecard: Fourier
frequency grids, spectral power and spatial filters (no model, no AM)."""
