"""The smoke run's HTML report (`snakemake --report report.html`, one self-contained file) in a
real headless browser: Debian's chromium and chromedriver driven by selenium. The report is a
JavaScript app: the test opens every category, every entry's details (its caption) and its view
(its image), and checks each figure of the default target renders under its category with its
caption."""

import re
from pathlib import Path

import pytest
from workflow_helpers import ROOT

from tdvae_am.experiments.registry import figure_caption, figure_category, load_registry

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
MISSING = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
WAIT_S = 30

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(MISSING), reason=f"no headless browser: {', '.join(MISSING)} missing (Debian's "
                       "chromium and chromium-driver; .ci/run installs them with apt-get where it can)"),
]


def plain(text: str) -> str:
    """Caption text without reStructuredText markup, whitespace collapsed."""
    return " ".join(re.sub(r"[`*\\]", "", text).split())


def expected_figures(root: Path) -> dict[str, tuple[str, str]]:
    """{figures/<name>.png: (category, opening of its caption)} for every report figure of the
    default target: the rules' report() declarations (the recipe study is not part of it), with
    the registry's figures, categories and captions for the AM figures."""
    registry = load_registry(root / "config/experiments.yaml")
    declared = re.compile(r'report\(\s*"(figures/[\w{}]+\.png)",\s*caption="\.\./report/(\w+)\.rst",\s*'
                          r'category=(?:"([^"]+)"|lambda)')
    figures = {}
    for path in sorted((root / "workflow/rules").glob("*.smk")):
        if path.name == "recipes.smk":
            continue
        for png, caption, category in declared.findall(path.read_text()):
            if "{figure}" in png:
                for name in registry["figures"]:
                    figures[png.format(figure=name)] = (figure_category(registry, name),
                                                        figure_caption(registry, name))
            else:
                text = (root / "workflow/report" / f"{caption}.rst").read_text().split("{{")[0]
                figures[png] = (category, text)
    return {png: (category, plain(caption)[:60]) for png, (category, caption) in figures.items()}


def test_expected_figures_cover_the_report_declarations():
    figures = expected_figures(ROOT)
    registry = load_registry(ROOT / "config/experiments.yaml")
    assert {f"figures/{name}.png" for name in registry["figures"]} < set(figures)
    assert figures["figures/figS7_benchmarks.png"][0] == "Benchmarks"
    category, caption = figures["figures/fig04_data.png"]
    assert category == "Data" and caption.startswith("Training data (paper Fig. 4). (a) Whitened")
    assert all(len(caption) >= 20 for _, caption in figures.values())


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (the `test` extra)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1600,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=webdriver.ChromeService(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


def click(driver, element):
    """Click ``element`` through the page's own event handlers (the menu's width transitions can
    put it under another element for a moment)."""
    driver.execute_script("arguments[0].click();", element)


def click_link(driver, scope, text):
    """Click the link (``a``) inside ``scope`` (CSS) whose text is ``text``."""
    from selenium.webdriver.common.by import By

    links = [a for a in driver.find_elements(By.CSS_SELECTOR, f"{scope} a") if a.text.strip() == text]
    assert links, f"no link {text!r} in {scope}"
    click(driver, links[0])


def wait(driver, condition, what):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_S, poll_frequency=0.05).until(condition, message=what)


def categories(driver) -> list[str]:
    """The result categories listed in the report's menu (the items after its "Results" heading)."""
    return driver.execute_script("""
        const items = [...document.querySelectorAll('nav ul > li')];
        const start = items.findIndex(li => li.textContent.trim().toLowerCase() === 'results');
        return items.slice(start + 1).map(li => li.textContent.trim());""")


def shown_image(driver, png):
    """The main panel's image once it is ``png``'s and decoded: (naturalWidth, naturalHeight, width shown)."""
    name = Path(png).name
    script = """
        const img = [...document.querySelectorAll('img')].find(i => i.src.startsWith('data:image/png')
            && i.src.includes('filename=' + arguments[0] + ';'));
        return img && img.complete && img.naturalWidth > 0
            ? [img.naturalWidth, img.naturalHeight, img.getBoundingClientRect().width] : null;"""
    return wait(driver, lambda d: d.execute_script(script, name), f"image {png} not rendered")


def description(driver) -> str:
    """The text under the "Description" heading of an entry's details."""
    return driver.execute_script("""
        const items = [...document.querySelectorAll('nav ul > li')];
        const i = items.findIndex(li => li.textContent.trim().toLowerCase() === 'description');
        return i < 0 ? null : items[i + 1].textContent;""")


def test_every_report_figure_renders_with_its_caption(smoke_report, browser, tmp_path):
    from selenium.webdriver.common.by import By

    expected = expected_figures(smoke_report.parent)
    browser.get(smoke_report.as_uri())
    wait(browser, lambda d: categories(d), "the report's menu did not load")
    found = {}
    for category in categories(browser):
        click_link(browser, "nav ul", category)
        rows = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "table tbody tr"), f"{category}: no entries")
        files = [row.find_element(By.CSS_SELECTOR, "td").text.strip() for row in rows]
        for i, png in enumerate(files):
            assert png not in found, f"{png} listed twice"
            row = browser.find_elements(By.CSS_SELECTOR, "table tbody tr")[i]
            click(browser, row.find_element(By.CSS_SELECTOR, "a[iconname=information-circle]"))
            caption = wait(browser, description, f"{png}: no description")
            click(browser, browser.find_element(By.CSS_SELECTOR, "nav ul a[iconname=eye]"))  # view it
            width, height, shown = shown_image(browser, png)
            found[png] = (category, plain(caption), (width, height, shown))
            click_link(browser, "nav ol", category)  # breadcrumb back to the category
            wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "table tbody tr"), f"back to {category}")
        screenshot = tmp_path / ("report_" + "_".join(re.findall(r"\w+", category)) + ".png")
        click(browser, browser.find_elements(By.CSS_SELECTOR, "a[iconname=eye]")[0])
        shown_image(browser, files[0])
        browser.save_screenshot(str(screenshot))
        print(f"screenshot of {category}: {screenshot}")
        click_link(browser, "nav ol", "Results")
        wait(browser, lambda d: categories(d), "back to the menu")

    assert set(found) == set(expected), (sorted(set(expected) - set(found)), sorted(set(found) - set(expected)))
    for png, (category, caption, (width, height, shown)) in found.items():
        assert width > 100 and height > 100 and shown > 50, (png, width, height, shown)
        assert category == expected[png][0], (png, category, expected[png][0])
        assert caption.startswith(expected[png][1]), (png, caption[:120], expected[png][1])
