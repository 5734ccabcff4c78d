"""Train phase: the resumable training loop and its collaborators, and model evaluation."""
