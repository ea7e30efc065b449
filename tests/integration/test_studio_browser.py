"""Label Studio as annotators live it, in a real browser (headless Chromium driven by Selenium).

Two annotators made by `claimset studio add-annotator` log in to the web UI, each labels the
same two facts in their own project (verdict, evidence span, rationale, confidence, Submit);
the second never sees the first one's work; `claimset pull` then settles one fact for every
wording and queues the other for adjudication, where the reviewer sees everything. The
screenshots of the annotator's and the reviewer's view in docs/ are taken here.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from builder.studio.people import annotator_project, pseudonym_salt
from tests.conftest import ROOT, read_jsonl, run_cli

pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
DOCS = ROOT / "docs"
WAIT = 90  # seconds for a page of the Label Studio app to be ready (2 shared cores)
REASON = "The article itself says Russia holds about a fifth of Ukraine, and gives no source."


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    assert CHROMIUM and CHROMEDRIVER, "install Debian's chromium and chromium-driver (scripts/setup.sh does)"
    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1700"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    yield driver
    driver.quit()


def wait_for(driver, css: str, timeout: float = WAIT):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(ec.visibility_of_element_located((By.CSS_SELECTOR, css)))


def log_in(driver, url: str, email: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(url + "/user/login/")
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit], input[type=submit]").click()
    deadline = time.monotonic() + WAIT
    while "/user/login" in driver.current_url and time.monotonic() < deadline:
        time.sleep(0.3)
    assert "/user/login" not in driver.current_url, "the web login refused the account"


def click(driver, element) -> None:
    """Scroll ``element`` to the middle of its panel (away from the toolbars), then click it; a
    dialog still fading out (slow on a busy machine) is waited for, not clicked through."""
    from selenium.common.exceptions import ElementClickInterceptedException

    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    time.sleep(0.2)
    deadline = time.monotonic() + WAIT
    while True:
        try:
            element.click()
            return
        except ElementClickInterceptedException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def close_modals(driver) -> None:
    from selenium.webdriver.common.by import By

    for button in driver.find_elements(By.CSS_SELECTOR, "[aria-label='Close modal']"):
        if button.is_displayed():
            button.click()
            time.sleep(0.3)


def open_task(driver, url: str, project_id: int, task_id: int) -> None:
    """The labeling view of one task, as an annotator opens it from their project."""
    driver.get(f"{url}/projects/{project_id}/data?task={task_id}")
    wait_for(driver, "label.lsf-choice__checkbox")
    time.sleep(1)
    close_modals(driver)


def choose(driver, verdict: str) -> None:
    from selenium.webdriver.common.by import By

    click(
        driver, driver.find_element(By.XPATH, f"//input[@type='radio' and @name='{verdict}']/ancestor::label")
    )
    time.sleep(0.3)


def write(driver, name: str, text: str) -> None:
    from selenium.webdriver.common.by import By

    area = wait_for(driver, f"textarea[name={name}]")
    area.send_keys(text)
    click(
        driver,
        area.find_element(By.XPATH, "./ancestor::form").find_element(
            By.XPATH, ".//button[normalize-space()='Add']"
        ),
    )
    time.sleep(0.3)


def rate(driver, stars: int) -> None:
    from selenium.webdriver.common.by import By

    click(driver, driver.find_elements(By.CSS_SELECTOR, "ul.ant-rate li.ant-rate-star")[stars - 1])
    time.sleep(0.3)


def mark_evidence(driver, passage: str) -> None:
    """Press the Evidence label, then select ``passage`` in the full article, as a mouse would."""
    from selenium.webdriver.common.by import By

    click(
        driver,
        driver.find_element(
            By.XPATH, "//span[contains(@class,'lsf-label__text') and normalize-space()='Evidence']"
        ),
    )
    found = driver.execute_script(
        """
        const passage = arguments[0];
        const texts = [...document.querySelectorAll('.lsf-htx-richtext')];
        const article = texts[texts.length - 1];  // the full article is the last text shown
        const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
        for (let node; (node = walker.nextNode()); ) {
          const at = node.textContent.indexOf(passage);
          if (at < 0) continue;
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + passage.length);
          const selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          const box = range.getBoundingClientRect();
          node.parentElement.dispatchEvent(
            new MouseEvent('mouseup', {bubbles: true, clientX: box.right, clientY: box.bottom}));
          return true;
        }
        return false;
        """,
        passage,
    )
    assert found, f"passage not in the article: {passage}"
    time.sleep(0.8)


def submit(driver) -> str:
    """Press Submit; returns the warning Label Studio shows instead of submitting ('' if none)."""
    from selenium.webdriver.common.by import By

    driver.find_element(By.XPATH, "//button[normalize-space()='Submit']").click()
    time.sleep(2)
    warnings = [
        e.text
        for e in driver.find_elements(
            By.CSS_SELECTOR, ".lsf-modal-ls__content, .ant-modal-content, [role=dialog]"
        )
        if e.is_displayed()
    ]
    for ok in driver.find_elements(By.XPATH, "//button[normalize-space()='OK']"):
        if ok.is_displayed():
            ok.click()
    deadline = time.monotonic() + WAIT  # the dialog fades out before the task takes clicks again
    while time.monotonic() < deadline and _dialog_shown(driver):
        time.sleep(0.3)
    return " ".join(warnings)


def _dialog_shown(driver) -> bool:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    try:
        return any(e.is_displayed() for e in driver.find_elements(By.CSS_SELECTOR, ".ant-modal-wrap"))
    except StaleElementReferenceException:  # removed while looked at: gone
        return False


def screenshot(driver, name: str) -> None:
    driver.execute_script(
        "document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; });"
    )
    time.sleep(0.5)
    DOCS.mkdir(exist_ok=True)
    driver.save_screenshot(str(DOCS / name))


def test_two_annotators_label_blind_in_the_browser_then_pull_settles_and_queues(
    studio_server, example_run, tmp_path, browser
):
    run = tmp_path / "run"
    shutil.copytree(example_run, run)
    emails = list(studio_server.passwords)
    args = ["--by", "cluster", "--limit", "2"] + [x for e in emails for x in ("--annotator", e)]
    assert run_cli("push", str(run), "--project", "Newsroom", *args).returncode == 0
    client = studio_server.client()
    salt = pseudonym_salt()
    projects = {e: client.find_project(annotator_project("Newsroom", e, salt)) for e in emails}
    tasks = {
        e: sorted(client.sdk.tasks.list(project=p.id, fields="all"), key=lambda t: t.id)
        for e, p in projects.items()
    }
    fact, other = tasks[emails[0]]  # the most check-worthy fact first
    claims = {c["claim_id"]: c for c in read_jsonl(run / "claims.jsonl")}
    disputed_text = claims[other.data["claim_id"]]["text"]
    url = studio_server.url

    # the first annotator: the fact is supported; the other claim refuted, with evidence and a reason
    first, second = emails
    log_in(browser, url, first, studio_server.passwords[first])
    open_task(browser, url, projects[first].id, fact.id)
    choose(browser, "supported")
    rate(browser, 5)
    assert submit(browser) == ""
    open_task(browser, url, projects[first].id, other.id)
    choose(browser, "refuted")
    rate(browser, 4)
    assert "rationale is required" in submit(browser)  # the interface refuses it without a reason
    write(browser, "rationale_required", REASON)
    mark_evidence(browser, disputed_text)
    screenshot(browser, "studio-annotator.png")
    assert submit(browser) == ""

    # the second annotator, in their own project: nothing of the first one's work, nor the model's score
    log_in(browser, url, second, studio_server.passwords[second])
    mine = {t.meta["cluster_id"]: t for t in tasks[second]}
    for task in (fact, other):
        open_task(browser, url, projects[second].id, mine[task.meta["cluster_id"]].id)
        page = browser.page_source
        assert REASON not in page and first not in page and first.split("@")[0] not in page
        assert "checkworthy" not in page and "Labeled regions will appear here" in page
        assert not browser.execute_script(
            "return [...document.querySelectorAll('input[type=radio]')].some(r => r.name && r.checked)"
        )
        choose(browser, "supported")
        rate(browser, 3)
        assert submit(browser) == ""
    for email, project in projects.items():  # and on the server: each project holds its owner's work only
        owner = studio_server.annotators[email]
        for task in client.sdk.tasks.list(project=project.id, fields="all"):
            assert [a["completed_by"] for a in task.annotations] == [owner]

    out = run_cli("pull", "--project", "Newsroom", "--out", str(run))
    assert out.returncode == 0, out.stderr
    verdicts = {v["claim_id"]: v for v in read_jsonl(run / "verdicts.jsonl")}
    for claim_id in fact.meta["claim_ids"]:  # every wording of the fact gets its verdict
        v = verdicts[claim_id]
        assert (v["verdict"], v["method"], v["cluster_id"]) == (
            "supported",
            "unanimous",
            fact.meta["cluster_id"],
        )
    rows = read_jsonl(run / "annotations.jsonl")
    refuted = [r for r in rows if r["verdict"] == "refuted" and r["claim_id"] == other.data["claim_id"]]
    assert len(refuted) == 1 and refuted[0]["rationale"] == REASON and refuted[0]["confidence"] == 4
    (span,) = refuted[0]["evidence_spans"]
    assert (
        span["text"] == disputed_text and span["char_start"] == claims[other.data["claim_id"]]["char_start"]
    )
    assert other.data["claim_id"] not in verdicts and "newly queued" in out.stdout

    # the reviewer sees each verdict with its rationale, confidence and evidence, and settles it
    review = client.find_project("Newsroom (adjudication)")
    queued = [
        t
        for t in client.sdk.tasks.list(project=review.id, fields="all")
        if t.meta["claim_id"] == other.data["claim_id"]
    ]
    log_in(browser, url, studio_server.username, studio_server.password)
    open_task(browser, url, review.id, queued[0].id)
    page = browser.page_source
    assert (
        REASON in page and "refuted (confidence 4 of 5)" in page and "supported (confidence 3 of 5)" in page
    )
    screenshot(browser, "studio-adjudication.png")
    choose(browser, "refuted")
    rate(browser, 4)
    write(browser, "rationale_required", "Agree with the annotator who found the passage.")
    assert submit(browser) == ""
    out = run_cli("pull", "--project", "Newsroom", "--out", str(run))
    settled = {v["claim_id"]: v for v in read_jsonl(run / "verdicts.jsonl")}[other.data["claim_id"]]
    assert (settled["verdict"], settled["method"]) == ("refuted", "adjudicated")
    assert all(
        Path(DOCS / name).stat().st_size > 20_000
        for name in ("studio-annotator.png", "studio-adjudication.png")
    )
