import pytest
import torch

from tdvae_am.am.pre import Jitter, Normalize, RandomRotate, RandomScale, roll_images


def test_roll_images_matches_torch_roll_per_image():
    x = torch.randn(3, 6, 7)
    dy, dx = torch.tensor([0, 2, -3]), torch.tensor([1, -1, 4])
    out = roll_images(x, dy, dx)
    for b in range(3):
        torch.testing.assert_close(out[b], torch.roll(x[b], (int(dy[b]), int(dx[b])), dims=(0, 1)))


def test_roll_images_gradient_is_exact():
    x = torch.randn(3, 5, 6, dtype=torch.double, requires_grad=True)
    dy, dx = torch.tensor([0, 2, -7]), torch.tensor([1, -1, 9])
    assert torch.autograd.gradcheck(lambda v: roll_images(v, dy, dx), (x,))


def test_jitter_is_a_random_per_image_roll_and_differentiable():
    x = torch.randn(4, 5, 8, 8, requires_grad=True)
    y = Jitter(shift=2)(x, 0, 10, torch.Generator().manual_seed(0))
    rolls = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)]
    flat_x, flat_y = x.detach().reshape(-1, 8, 8), y.detach().reshape(-1, 8, 8)
    found = [next(r for r in rolls if torch.equal(torch.roll(flat_x[i], r, (0, 1)), flat_y[i])) for i in range(20)]
    assert len(set(found)) > 3                                          # images get different shifts
    r = torch.randn_like(y)
    (y * r).sum().backward()
    torch.testing.assert_close((x.grad * x).sum(), (r * y).sum())      # the gradient is the adjoint roll
    assert x.grad.abs().sum() > 0
    torch.testing.assert_close(Jitter(shift=0)(x, 0, 10, torch.Generator()), x)


def test_jitter_shift_follows_its_schedule():
    x = torch.randn(2, 3, 8, 8)
    jitter = Jitter(shift={"schedule": "linear", "start": 3, "end": 0})
    assert not torch.equal(jitter(x, 0, 10, torch.Generator().manual_seed(0)), x)
    assert torch.equal(jitter(x, 9, 10, torch.Generator().manual_seed(0)), x)


def test_random_scale_and_rotate_are_identity_at_zero_strength_and_differentiable():
    x = torch.randn(2, 3, 12, 12, requires_grad=True)
    g = torch.Generator().manual_seed(0)
    torch.testing.assert_close(RandomScale(min=1.0, max=1.0)(x, 0, 1, g), x, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(RandomRotate(degrees=0.0)(x, 0, 1, g), x, atol=1e-5, rtol=1e-5)
    for op in (RandomScale(min=1.3, max=1.6), RandomRotate(degrees=30.0)):
        y = op(x, 0, 1, g)
        assert y.shape == x.shape and not torch.allclose(y, x)
        (grad,) = torch.autograd.grad(y.sum(), x)
        assert grad.abs().sum() > 0


@pytest.mark.parametrize("norm", ["std", "l2"])
def test_normalize_projects_each_image_differentiably(norm):
    x = (3 * torch.randn(2, 4, 8, 8) + 1).requires_grad_(True)
    y = Normalize(norm=norm, value=2.0)(x, 0, 1, None)
    measured = y.std(dim=(-2, -1)) if norm == "std" else y.flatten(-2).norm(dim=-1)
    torch.testing.assert_close(measured, torch.full((2, 4), 2.0))
    (grad,) = torch.autograd.grad((y * torch.randn_like(y)).sum(), x)
    assert grad.abs().sum() > 0
