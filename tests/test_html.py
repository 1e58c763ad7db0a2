"""--format html: one self-contained, escaped page whose pictures mark the failing rules;
loaded in headless Chromium (Debian's chromium + chromium-driver, installed by .ci/run)."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from auditor.cli import run
from auditor.findings import Status
from auditor.paths import PathPicture, Piece, Route
from auditor.report.html import render, script, script_hash
from tests.reports import ALB, DIST, report, result

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_everything_from_the_account_is_escaped():
    hostile = result(message=HOSTILE, evidence={"name": HOSTILE})
    path = PathPicture("123456789012", "us-east-1", Piece(ALB, HOSTILE), (Piece(DIST, HOSTILE),),
                       (Route(Piece(ALB + "/rule", HOSTILE), False, Piece(ALB + "/tg", HOSTILE),
                              (Piece("arn:aws:lambda:us-east-1:1:function:f", HOSTILE),)),))
    page = render(_with_paths(report(hostile), path))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert" in page
    assert page.count("<script") == 1  # the page's own, and nothing else


def _with_paths(rep, *paths):
    from dataclasses import replace

    return replace(rep, paths=tuple(paths))


def test_the_page_is_self_contained_and_its_script_pinned_by_hash():
    page = render(_with_paths(report(result())))
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls  # a namespace, never fetched
    assert not re.search(r"<(link|img|iframe|object)\b", page)
    assert f"script-src '{script_hash(script())}'" in page
    assert f"<script>{script()}</script>" in page


def test_failing_rules_are_marked_on_the_piece_they_are_about():
    path = PathPicture("123456789012", "us-east-1", Piece(ALB, "shop-alb"),
                       (Piece(DIST, "E2QWRUHEXAMPLE"),), ())
    page = render(_with_paths(report(result(), result("CF-001", Status.PASS, DIST)), path))
    assert re.search(rf'data-arn="{re.escape(ALB)}" data-failing="BYP-001"', page)
    assert re.search(rf'data-arn="{re.escape(DIST)}" data-failing=""', page)  # passed


def test_an_alb_without_cloudfront_is_drawn_as_reached_directly():
    path = PathPicture("123456789012", "eu-west-1", Piece(ALB, "tools-alb"), (), ())
    page = render(_with_paths(report(result()), path))
    assert "no CloudFront" in page and 'class="edge direct"' in page


def test_an_incomplete_scan_says_so():
    page = render(report(result(status=Status.ERROR)))
    assert 'class="banner incomplete"' in page


# ------------------------------------------------------------------ in Chromium

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("html")
    page = folder / "demo.html"
    assert run(["--quiet", "demo", "--format", "html", "-o", str(page)]) == 0
    return page


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMIUM and DRIVER):
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium and chromium-driver (.ci/run)")
        pytest.skip("chromium and chromedriver are not installed (apt-get install chromium "
                    "chromium-driver); CI installs them")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--window-size=1400,1800",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def loaded(browser, demo_page):
    browser.get(demo_page.as_uri())
    return browser


def test_the_demo_page_loads_without_console_errors(loaded, tmp_path):
    errors = [e for e in loaded.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    shot = tmp_path / "demo.png"
    assert loaded.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a page, not a blank


def test_every_lambda_alb_is_drawn_with_its_failing_rules(loaded):
    from selenium.webdriver.common.by import By

    figures = loaded.find_elements(By.CSS_SELECTOR, "figure.path")
    names = {f.find_element(By.TAG_NAME, "figcaption").text.split(" ·")[0] for f in figures}
    assert names == {"shop-alb", "legacy-alb", "billing-alb", "kiosk-alb", "tools-alb",
                     "partner-alb"}
    legacy = next(f for f in figures if f.text.startswith("legacy-alb"))
    alb_piece = legacy.find_elements(By.CSS_SELECTOR, "g.piece[data-arn*='loadbalancer/app/']")
    failing = alb_piece[0].get_attribute("data-failing").split()
    assert {"BYP-001", "BYP-003"} <= set(failing)
    assert "sev-critical" in alb_piece[0].get_attribute("class")
    badges = [b.text for b in alb_piece[0].find_elements(By.CSS_SELECTOR, "g.badge")]
    assert badges[0] == "BYP-001"  # the worst first


def test_a_severity_filter_click_hides_exactly_those_rows(loaded):
    from selenium.webdriver.common.by import By

    def visible(severity=None):
        rows = loaded.find_elements(By.CSS_SELECTOR, "tr.result")
        return [r for r in rows if r.is_displayed()
                and (severity is None or r.get_attribute("data-severity") == severity)]

    before_critical, before_all = len(visible("critical")), len(visible())
    assert before_critical > 0
    loaded.find_element(By.CSS_SELECTOR, "input[name=severity][value=critical]").click()
    assert visible("critical") == []
    assert len(visible()) == before_all - before_critical
    assert f"{before_all - before_critical} of" in loaded.find_element(By.ID, "shown-count").text
    loaded.find_element(By.CSS_SELECTOR, "input[name=severity][value=critical]").click()
    assert len(visible()) == before_all


def test_the_rule_filter_shows_one_rule(loaded):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(loaded.find_element(By.ID, "rule-filter")).select_by_value("HC-001")
    rows = [r for r in loaded.find_elements(By.CSS_SELECTOR, "tr.result") if r.is_displayed()]
    assert rows and {r.get_attribute("data-rule") for r in rows} == {"HC-001"}
    Select(loaded.find_element(By.ID, "rule-filter")).select_by_value("")


@pytest.mark.parametrize("width", [1280, 1920])
def test_the_page_fits_common_screens_and_leads_with_what_to_fix(loaded, width, tmp_path,
                                                                 demo_page):
    """Screenshot at each width (kept as a test artifact in tmp), and check what the eye
    meets first: the "fix these first" list, a verdict on each picture, region names that
    do not break, and a body no wider than the window (pictures scroll inside figures)."""
    from selenium.webdriver.common.by import By

    loaded.set_window_size(width, 1100)
    loaded.get(demo_page.as_uri())
    shot = tmp_path / f"report-{width}.png"
    assert loaded.save_screenshot(str(shot)) and shot.stat().st_size > 20_000
    inner = loaded.execute_script("return window.innerWidth")
    assert loaded.execute_script("return document.body.scrollWidth") <= inner
    first = loaded.find_elements(By.CSS_SELECTOR, "#first li")
    assert first and "BYP-001" in first[0].text  # the critical bypass leads
    verdicts = {f.find_element(By.TAG_NAME, "figcaption").text.split(" ·")[0]:
                f.find_element(By.CSS_SELECTOR, ".verdict").get_attribute("data-verdict")
                for f in loaded.find_elements(By.CSS_SELECTOR, "figure.path")}
    assert verdicts["legacy-alb"] == "yes" and verdicts["shop-alb"] == "no"
    for region in loaded.find_elements(By.CSS_SELECTOR, "td.region span"):
        if region.is_displayed():
            assert region.size["height"] < 30, region.text  # one line, not "us-" / "east-1"
    areas = loaded.find_element(By.ID, "area-names").text
    assert "BYP" in areas and "bypass" in areas
