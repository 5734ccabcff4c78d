"""Grayscale source images: photographs bundled with installed packages, user folders,
and raw van Hateren ``.iml`` / ``.imc`` files.

Every loader returns float64 arrays in [0, 1] (raw files: linear intensities scaled by
their maximum), so that the whitening filter sees comparable inputs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: Natural photographs that ship with scikit-image (no network access needed).
SKIMAGE_NATURAL = ("camera", "astronaut", "coffee", "chelsea", "rocket", "coins")
#: Natural photographs that ship with plenoptic.
PLENOPTIC_NATURAL = ("einstein", "curie", "parrot", "macaque")
#: Texture photographs that ship offline, usable as Portilla-Simoncelli seeds, and their (rows, cols).
BUNDLED_TEXTURE_SHAPES = {
    "brick": (512, 512), "grass": (512, 512), "gravel": (512, 512), "reptile_skin": (256, 256), "moon": (512, 512),
}
BUNDLED_TEXTURES = tuple(BUNDLED_TEXTURE_SHAPES)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".pgm", ".ppm")
RAW_SUFFIXES = (".iml", ".imc")
VAN_HATEREN_SHAPE = (1024, 1536)


class ImageSourceError(ValueError):
    """A configured image source is missing or unreadable."""


def to_gray(image: np.ndarray) -> np.ndarray:
    """Return a float64 grayscale image in [0, 1] from a gray, RGB or RGBA array
    (integer images are scaled by their dtype's maximum)."""
    from skimage.color import rgb2gray, rgba2rgb
    from skimage.util import img_as_float64

    arr = img_as_float64(np.asarray(image))
    if arr.ndim == 3 and arr.shape[-1] == 4:
        arr = rgba2rgb(arr)
    if arr.ndim == 3 and arr.shape[-1] == 3:
        arr = rgb2gray(arr)
    if arr.ndim != 2:
        raise ImageSourceError(f"expected a 2-d or RGB(A) image, got shape {np.shape(image)}")
    return arr


def _plenoptic_image(name: str) -> np.ndarray:
    import plenoptic as po

    tensor = getattr(po.data, name)()
    arr = tensor[0].permute(1, 2, 0).numpy() if tensor.shape[1] == 3 else tensor[0, 0].numpy()
    return to_gray(arr.astype(np.float64))


def _skimage_image(name: str) -> np.ndarray:
    import skimage.data

    return to_gray(getattr(skimage.data, name)())


def bundled_image(name: str) -> np.ndarray:
    """Load one bundled photograph (natural or texture) by name."""
    if name in SKIMAGE_NATURAL or name in ("brick", "grass", "gravel", "moon"):
        return _skimage_image(name)
    if name in PLENOPTIC_NATURAL or name == "reptile_skin":
        return _plenoptic_image(name)
    known = ", ".join(SKIMAGE_NATURAL + PLENOPTIC_NATURAL + BUNDLED_TEXTURES)
    raise ImageSourceError(f"unknown bundled image {name!r}; known: {known}")


def bundled_natural_images() -> dict[str, np.ndarray]:
    """All bundled natural photographs, by name."""
    return {name: bundled_image(name) for name in SKIMAGE_NATURAL + PLENOPTIC_NATURAL}


def read_van_hateren(path: str | Path, shape: tuple[int, int] = VAN_HATEREN_SHAPE) -> np.ndarray:
    """Read a raw van Hateren ``.iml``/``.imc`` file: big-endian uint16, row-major.

    Returns intensities scaled to [0, 1] by the image maximum.
    """
    path = Path(path)
    data = np.fromfile(path, dtype=">u2")
    if data.size != shape[0] * shape[1]:
        raise ImageSourceError(
            f"{path}: {data.size} uint16 values, expected {shape[0]}x{shape[1]}="
            f"{shape[0] * shape[1]} for a raw van Hateren image"
        )
    image = data.reshape(shape).astype(np.float64)
    peak = image.max()
    return image / peak if peak > 0 else image


def image_shape(path: str | Path, raw_shape: tuple[int, int] = VAN_HATEREN_SHAPE) -> tuple[int, int]:
    """(rows, cols) of an image file, checked without reading it into an array: a raw van
    Hateren file by its size (``raw_shape`` uint16), a PNG by its chunk checksums (PIL verify),
    other formats by decoding. Raises :class:`ImageSourceError` naming the file if it is not
    a readable image (text named .png, a truncated PNG or .iml, ...)."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if path.suffix.lower() in RAW_SUFFIXES:
        expected = raw_shape[0] * raw_shape[1] * 2
        if path.stat().st_size != expected:
            raise ImageSourceError(
                f"{path}: {path.stat().st_size:,} bytes, expected {expected:,} for a raw van Hateren image "
                f"({raw_shape[0]}x{raw_shape[1]} uint16, natural.raw_shape); truncated or not a raw image"
            )
        return tuple(raw_shape)
    try:
        with Image.open(path) as image:
            shape = image.height, image.width
            if image.format == "PNG":
                image.verify()
            else:
                image.load()
    except UnidentifiedImageError:
        raise ImageSourceError(f"{path}: not an image file (PIL cannot identify it)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as err:
        raise ImageSourceError(f"{path}: truncated or corrupt image ({err})") from None
    return shape


def read_image(path: str | Path, raw_shape: tuple[int, int] = VAN_HATEREN_SHAPE) -> np.ndarray:
    """Read a common image file or a raw van Hateren file as grayscale in [0, 1]."""
    path = Path(path)
    if not path.is_file():
        raise ImageSourceError(f"image file not found: {path}")
    if path.suffix.lower() in RAW_SUFFIXES:
        return read_van_hateren(path, raw_shape)
    from skimage import io

    try:
        return to_gray(io.imread(path))
    except (OSError, SyntaxError, ValueError) as err:
        raise ImageSourceError(f"{path}: unreadable image ({err})") from None


def list_image_files(folder: str | Path) -> list[Path]:
    """Image files (common formats and raw van Hateren) directly inside ``folder``, sorted."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ImageSourceError(f"image folder not found: {folder}")
    files = sorted(
        p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES + RAW_SUFFIXES
    )
    if not files:
        raise ImageSourceError(f"no image files ({', '.join(IMAGE_SUFFIXES + RAW_SUFFIXES)}) in {folder}")
    return files


def check_image_folder(folder: str | Path, raw_shape: tuple[int, int] = VAN_HATEREN_SHAPE) -> dict[str, tuple]:
    """(rows, cols) of every image of ``folder`` by name (see :func:`image_shape`); raises
    :class:`ImageSourceError` naming the folder (no images) or the first bad file."""
    shapes = {}
    for path in list_image_files(folder):
        if path.stem in shapes:
            raise ImageSourceError(f"{path}: a second image named {path.stem!r} in {folder}")
        shapes[path.stem] = image_shape(path, raw_shape)
    return shapes


def load_natural_images(
    folder: str | Path | None, raw_shape: tuple[int, int] = VAN_HATEREN_SHAPE
) -> dict[str, np.ndarray]:
    """Natural images by name: the bundled photographs when ``folder`` is None."""
    if folder is None:
        return bundled_natural_images()
    return {p.stem: read_image(p, raw_shape) for p in list_image_files(folder)}


def load_texture_seed(source: str, raw_shape: tuple[int, int] = VAN_HATEREN_SHAPE) -> np.ndarray:
    """A texture seed: a bundled texture name or a path to an image file."""
    if source in BUNDLED_TEXTURES:
        return bundled_image(source)
    if Path(source).is_file():
        return read_image(source, raw_shape)
    raise ImageSourceError(
        f"texture seed {source!r} is neither a bundled texture "
        f"({', '.join(BUNDLED_TEXTURES)}) nor an existing image file"
    )
