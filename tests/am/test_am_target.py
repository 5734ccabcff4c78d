from dataclasses import FrozenInstanceError

import numpy as np
import pytest
from am_toys import pixel_config

from tdvae_am.am import AMError, Target, run_am


def test_a_bare_activation_stands_for_its_target(linear3):
    config = pixel_config(steps=4, pre=["jitter"])
    bare = run_am(linear3, [0, 2], config, n_restarts=2, seed=1)
    target = run_am(Target(linear3), [0, 2], config, n_restarts=2, seed=1)
    np.testing.assert_array_equal(bare.images, target.images)
    np.testing.assert_array_equal(bare.traces["activation"], target.traces["activation"])


def test_target_is_frozen_and_checks_its_callables(linear3):
    target = Target(linear3)
    assert target.elbo is None and target.decode is None
    with pytest.raises(FrozenInstanceError):
        target.elbo = linear3
    with pytest.raises(AMError, match="activation must be callable, got NoneType"):
        Target(None)
    with pytest.raises(AMError, match="elbo must be callable, got float"):
        Target(linear3, elbo=1.0)
