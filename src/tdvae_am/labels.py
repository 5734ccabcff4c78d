"""How the figures and the documentation name each model."""

MODEL_LABELS = {"tdvae": "TDVAE", "chain": "chain VAE", "sparse": "sparse-coding VAE"}
