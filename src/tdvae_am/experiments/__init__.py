"""The study: the TDVAE joined to the model-agnostic AM engine. The experiment registry, the
run of one registry entry on a trained model, and the reference measurements of the studied units."""
