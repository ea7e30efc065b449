"""Annotators: pseudonyms, the project each one labels alone, and accounts that can log in.

Label Studio Community has no annotator role: every member of an organization sees every
project, its Data Manager and, inside a task, everyone's annotations. Blind labelling is built
from projects: each annotator gets their own project holding the same tasks
(``NAME · annotator-3f9c2a1b7e``), so nothing another annotator did is in the project they work
in; `claimset pull` merges the projects by claim_id. Accounts are made through Label Studio's own
sign-up form with the organization's invite link, the path a person takes in a browser, so the
password is set exactly as the web login checks it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urljoin

from builder.errors import ClaimsetError, Errors
from builder.studio.server import studio_home, write_secret
from builder.studio.sync import Studio

PASSWORD_ENV = "CLAIMSET_ANNOTATOR_PASSWORD"
ANNOTATOR_SEPARATOR = " · "  # between the project name and the annotator's pseudonym
MIN_PASSWORD = 8


def pseudonym_salt() -> bytes:
    """CLAIMSET_PSEUDONYM_SALT, else a salt generated once and kept (0600) in the studio folder."""
    env = os.environ.get("CLAIMSET_PSEUDONYM_SALT")
    if env:
        return env.encode("utf-8")
    path = studio_home() / "pseudonym-salt"
    if not path.exists():
        write_secret(path, secrets.token_hex(32) + "\n")
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def pseudonym(identity: str, salt: bytes) -> str:
    """A stable pseudonym for an annotator; without the salt it cannot be traced back."""
    digest = hmac.new(salt, identity.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()
    return f"annotator-{digest[:10]}"


def annotator_project(project: str, email: str, salt: bytes | None = None) -> str:
    """The title of the project ``email`` labels alone: the project name and their pseudonym."""
    return f"{project}{ANNOTATOR_SEPARATOR}{pseudonym(email, salt or pseudonym_salt())}"


@dataclass
class NewAnnotator:
    pseudonym: str
    invite_url: str  # the organization's sign-up link (others can sign up with it themselves)
    login_url: str


def add_annotator(email: str, password: str, studio: Studio | None = None) -> NewAnnotator:
    """Create an account that can log in to the web UI, through the invite link's sign-up form.

    The password goes only into the form's POST body (never a command line, log or file); the
    account is then checked by logging in with it.
    """
    import httpx

    email = email.strip()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise ClaimsetError(Errors.E315, detail="not an email address")
    if len(password) < MIN_PASSWORD:
        raise ClaimsetError(Errors.E315, detail=f"the password needs at least {MIN_PASSWORD} characters")
    studio = studio or Studio()
    url = studio.connection.url
    if any((e or "").lower() == email.lower() for e in studio.user_emails().values()):
        raise ClaimsetError(Errors.E316)
    invite = studio.call("get the invite link", studio.sdk.organizations.invites.get_invite_link)
    token = invite.token
    invite_url = f"{url}/user/signup/?token={token}"
    try:
        with httpx.Client(base_url=url, timeout=60, follow_redirects=False) as web:
            form = web.get("/user/signup/", params={"token": token})
            body = {"email": email, "password": password, "csrfmiddlewaretoken": _csrf(form.text)}
            signup = web.post("/user/signup/", params={"token": token}, data=body,
                              headers={"Referer": str(form.url)})  # fmt: skip
            if signup.status_code not in (301, 302):
                raise ClaimsetError(Errors.E315, detail=_form_error(signup.text))
        if not can_log_in(url, email, password):
            raise ClaimsetError(Errors.E315, detail="the new account could not log in")
    except httpx.HTTPError as error:
        raise ClaimsetError(Errors.E306, url=url, detail=type(error).__name__) from None
    return NewAnnotator(pseudonym(email, pseudonym_salt()), invite_url, urljoin(url + "/", "user/login/"))


def can_log_in(url: str, email: str, password: str) -> bool:
    """Whether the web login accepts ``email`` and ``password`` (as a browser would post them)."""
    import httpx

    with httpx.Client(base_url=url, timeout=60, follow_redirects=False) as web:
        form = web.get("/user/login/")
        body = {"email": email, "password": password, "csrfmiddlewaretoken": _csrf(form.text)}
        answer = web.post("/user/login/", data=body, headers={"Referer": str(form.url)})
        return answer.status_code in (301, 302) and "/user/login" not in answer.headers.get("location", "")


def _csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"', page)
    return found.group(1) if found else ""


def _form_error(page: str) -> str:
    """The first error message of a re-rendered Django form, as plain text."""
    found = re.search(r'class="[^"]*(?:error|field_errors)[^"]*"[^>]*>(.*?)</', page, re.S)
    text = re.sub(r"<[^>]+>", " ", found.group(1)) if found else "Label Studio refused the sign-up"
    return " ".join(text.split())[:200] or "Label Studio refused the sign-up"
