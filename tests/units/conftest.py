from types import SimpleNamespace

import pytest
from planted import PlantedModel, natural_set, texture_set


@pytest.fixture(scope="session")
def planted():
    textures, scrambled, family, image = texture_set()
    return SimpleNamespace(model=PlantedModel(), untrained=PlantedModel(untrained=True), natural=natural_set(),
                           textures=textures, scrambled=scrambled, family=family, image=image)
