"""The pages in a real browser: Playwright drives Debian's headless Chromium against a live server.

A rights holder pastes a passage of a training document and an unseen text, files an opt-out; an
operator filters the explorer and opens a document's history. Screenshots go to the test's tmp_path
and, when CLEARLM_SCREENSHOTS names a folder, are copied there too. `make test` installs Chromium.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from clearlm.ledger.query import connect
from clearlm.web import create_web_app
from tests.web.conftest import LiveServer

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
UNSEEN = "Quixotic marmalade orbits the seventh accordion while violet ledgers hum in Welsh. " * 3


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture
def site(fresh_ws: Path) -> Iterator[tuple[str, Path]]:
    with LiveServer(create_web_app(fresh_ws, api_key="browser-key")) as live:
        yield live.root, fresh_ws


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield opened
    context.close()
    assert errors == [], f"the browser reported errors (a CSP violation?): {errors}"


def shot(page: Page, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    if folder := os.environ.get("CLEARLM_SCREENSHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / name)


def training_passage(ws: Path) -> tuple[str, str]:
    doc_id, text = (
        connect(ws)
        .execute(
            "SELECT c.doc_id, c.text FROM curate c JOIN tokens t USING (doc_id) "
            "WHERE t.split = 'train' AND t.group <> 'canary' ORDER BY c.doc_id LIMIT 1"
        )
        .fetchone()
    )
    return str(doc_id), str(text[100:400])


def search(page: Page, root: str, text: str) -> None:
    page.goto(root + "/")
    page.get_by_label("Paste a passage").fill(text)
    page.get_by_role("button", name="Search the training data").click()
    page.wait_for_load_state()


def test_a_pasted_training_passage_is_found_and_trained(
    page: Page, site: tuple[str, Path], tmp_path: Path
) -> None:
    root, ws = site
    doc_id, passage = training_passage(ws)
    search(page, root, passage)
    expect(page.get_by_role("status")).to_contain_text("Found in training data")
    match = page.locator("article.match", has=page.locator(f'a[href="/ledger/doc/{doc_id}"]'))
    expect(match).to_contain_text("trained")
    expect(match.locator("dd", has_text="yes").first).to_be_visible()
    expect(match.locator("mark").first).to_be_visible()
    shot(page, tmp_path, "lookup-found.png")


def test_an_unseen_text_is_not_found(page: Page, site: tuple[str, Path], tmp_path: Path) -> None:
    root, _ = site
    search(page, root, UNSEEN)
    expect(page.get_by_role("status")).to_contain_text("Not found")
    expect(page.locator("article.match")).to_have_count(0)
    shot(page, tmp_path, "lookup-not-found.png")


def test_an_opt_out_is_recorded_for_review(page: Page, site: tuple[str, Path], tmp_path: Path) -> None:
    root, ws = site
    doc_id, passage = training_passage(ws)
    search(page, root, passage)
    page.get_by_label("Your name").fill("Ada Writer")
    page.get_by_label("Your e-mail address").fill("ada@example.org")
    page.get_by_label("What do you ask?").select_option("opt-out")
    page.get_by_label("Message").fill("This is my essay; please do not train on it.")
    page.get_by_role("button", name="Send the request").click()
    request_id = page.locator("#request-id").inner_text()
    assert len(request_id) == 16
    shot(page, tmp_path, "opt-out-received.png")
    rows = (
        connect(ws)
        .execute(
            "SELECT doc_id, reasons FROM ledger WHERE stage = 'review' AND decision = 'review' "
            "AND json_extract_string(evidence, '$.request_id') = ?",
            [request_id],
        )
        .fetchall()
    )
    assert (doc_id, ["complaint.opt-out"]) in rows


def test_the_explorer_filters_by_decision_and_opens_a_history(
    page: Page, site: tuple[str, Path], tmp_path: Path
) -> None:
    root, _ = site
    page.goto(root + "/ledger")
    page.get_by_label("Decision").select_option("deny")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    assert "decision=deny" in page.url
    row = page.locator("table.docs tbody tr", has_text="z-lib")
    expect(row).to_contain_text("piracy.shadow-library")
    shot(page, tmp_path, "ledger-denied.png")
    row.locator("a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Document")
    expect(page.locator("ol.history")).to_contain_text("clear/rights")
    page.get_by_text("Evidence").first.click()  # <details> opens: the evidence is there, escaped
    expect(page.locator("ol.history pre").first).to_be_visible()
    shot(page, tmp_path, "ledger-history.png")


def test_pages_have_labels_landmarks_a_language_and_work_by_keyboard(
    page: Page, site: tuple[str, Path], browser: Browser
) -> None:
    root, ws = site
    doc_id, passage = training_passage(ws)
    for path in ("/", "/ledger", f"/ledger/doc/{doc_id}", "/funnel", "/reasons"):
        page.goto(root + path)
        assert page.locator("html").get_attribute("lang") == "en"
        for landmark in ("banner", "navigation", "main", "contentinfo"):
            expect(page.get_by_role(landmark).first).to_be_attached()
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                 .filter(el => el.labels.length === 0 && !el.getAttribute('aria-label')).map(el => el.name)"""
        )
        assert unlabelled == [], f"{path}: inputs without a label {unlabelled}"
        assert page.locator("img:not([alt])").count() == 0
    page.goto(root + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # from the top of <main>, the first field is the passage
    assert page.evaluate("document.activeElement.id") == "q-text"
    page.keyboard.type(passage[:120])
    page.get_by_role("button", name="Search the training data").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Found")
    no_js = browser.new_context(java_script_enabled=False).new_page()  # the pages need no script
    search(no_js, root, passage)
    expect(no_js.get_by_role("status")).to_contain_text("Found in training data")
    no_js.context.close()
