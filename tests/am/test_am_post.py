import pytest
import torch

from tdvae_am.am.post import Blur, Clip, PostNormalize, PostStage
from tdvae_am.am.schedules import as_schedule
from tdvae_am.imageops.filters import total_variation
from tdvae_am.imageops.fourier import high_frequency_power


def test_post_stage_clips_normalizes_and_follows_schedules():
    x = 5 * torch.randn(2, 3, 8, 8)
    target = x.clone()
    PostStage([Clip(min=-1.0, max=2.0)])([target], 0, 1)
    assert target.min() == -1.0 and target.max() == 2.0
    PostStage([PostNormalize(norm="std", value=0.5)])([target], 0, 1)
    torch.testing.assert_close(target.std(dim=(-2, -1)), torch.full((2, 3), 0.5))
    blur = Blur(sigma={"schedule": "linear", "start": 2.0, "end": 0.0})
    assert not torch.allclose(blur(x, 0, 5), x)
    assert torch.equal(blur(x, 4, 5), x)


def test_schedules():
    assert as_schedule(2)(7, 10) == 2.0
    assert as_schedule({"schedule": "linear", "start": 1, "end": 0})(5, 11) == pytest.approx(0.5)
    assert as_schedule({"schedule": "geometric", "start": 1, "end": 0.01})(5, 11) == pytest.approx(0.1)
    step = as_schedule({"schedule": "step", "values": [3, 2, 1], "milestones": [10, 20]})
    assert [step(t, 30) for t in (0, 9, 10, 25)] == [3, 3, 2, 1]


def test_post_blur_lowers_high_frequency_power_of_the_result(slow_pixel_am):
    plain, blurred = slow_pixel_am(), slow_pixel_am(post=[{"name": "blur", "sigma": 0.7}])
    assert high_frequency_power(blurred).mean() < 0.5 * high_frequency_power(plain).mean()


@pytest.mark.parametrize("op", [{"name": "tv", "weight": 0.02},
                                {"name": "bilateral", "sigma_spatial": 1.0, "sigma_color": 0.05}])
def test_post_denoisers_lower_total_variation_of_the_result(slow_pixel_am, op):
    assert total_variation(slow_pixel_am(post=[op])).mean() < 0.7 * total_variation(slow_pixel_am()).mean()


def test_post_clip_bounds_the_result_without_budget(slow_pixel_am):
    images = slow_pixel_am(budget=None, post=[{"name": "clip", "min": -0.05, "max": 0.05}])
    assert images.abs().max() <= 0.05
    assert slow_pixel_am(budget=None).abs().max() > 0.1
