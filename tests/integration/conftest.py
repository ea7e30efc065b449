"""A real Label Studio server for the integration tests: one per session, on a free port.

It runs from the project's Label Studio venv (``claimset studio install``; installed here if
missing) with its data in a temporary folder, an admin created from environment variables
(as CI would do) and two annotator accounts made by `claimset studio add-annotator`, which
can log in to the web UI.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from builder.run import run_extract
from builder.studio.server import LocalStudio, free_port
from builder.studio.sync import Connection, Studio
from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.integration

EMOJI_ARTICLE = """Zürich’s cafés 😀 report a record year

By Zoë Müller 🇨🇭
3 February 2024

ZÜRICH — The Café Sprüngli 🍫 chain said on Monday that it served 1.2 million customers in 2023, up 12% from the year before.

Mayor Corine Mauch 🏛️ told reporters that the city spent 45 million francs on new school buildings in 2023.

According to the Federal Statistical Office 📊, Switzerland’s population reached 8.96 million at the end of 2023.

Nestlé 🥛 announced that it would cut 1,500 jobs in Vevey by 2026, the company said in a statement.

The Swiss National Bank 🏦 lowered its key interest rate to 1.5% on 21 March 2024, the first cut in nine years.
"""


@dataclass
class Server:
    local: LocalStudio
    url: str
    username: str
    password: str
    api_key: str
    annotators: dict[str, int] = field(default_factory=dict)  # email -> Label Studio user id
    passwords: dict[str, str] = field(default_factory=dict, repr=False)  # email -> web login password

    def client(self) -> Studio:
        return Studio(Connection(self.url, self.api_key))

    @property
    def secrets(self) -> list[str]:
        """Strings that must never appear in any output or log line."""
        names = [email.split("@")[0] for email in self.annotators]
        return [
            self.api_key,
            self.password,
            self.username,
            *self.annotators,
            *names,
            *self.passwords.values(),
        ]


@pytest.fixture(scope="session")
def studio_server(tmp_path_factory) -> Server:
    home = tmp_path_factory.mktemp("studio-home")
    local = LocalStudio(home=home, venv=ROOT / ".studio" / "venv")
    local.install()  # no-op when `claimset studio install` already ran
    env = {
        "CLAIMSET_STUDIO_HOME": str(home),
        "CLAIMSET_STUDIO_VENV": str(local.venv),
        "LABEL_STUDIO_USERNAME": f"maintainer.{secrets.token_hex(3)}@claimset.test",
        "LABEL_STUDIO_PASSWORD": secrets.token_urlsafe(12),
        "LABEL_STUDIO_API_KEY": secrets.token_hex(20),
        "CLAIMSET_PSEUDONYM_SALT": secrets.token_hex(16),
        "CLAIMSET_STUDIO_RETRY_SECONDS": "2",  # a stopped server fails fast; faults tests raise it
    }
    saved = {name: os.environ.get(name) for name in [*env, "LABEL_STUDIO_URL"]}
    os.environ.update(env)
    try:
        url, creds = local.up(port=free_port(0))
        os.environ["LABEL_STUDIO_URL"] = url
        server = Server(local, url, creds.username, creds.password, creds.api_key)
        for name in ("ann.one", "ann.two"):  # as a maintainer would: `claimset studio add-annotator`
            email = f"{name}.{secrets.token_hex(2)}@newsroom.test"
            password = secrets.token_urlsafe(12)
            result = run_cli(
                "studio", "add-annotator", email, env={**os.environ, "CLAIMSET_ANNOTATOR_PASSWORD": password}
            )
            assert result.returncode == 0, result.stderr
            assert password not in result.stdout + result.stderr
            server.passwords[email] = password
        ids = {email.lower(): uid for uid, email in server.client().user_emails().items()}
        server.annotators = {email: ids[email.lower()] for email in server.passwords}
        yield server
    finally:
        local.down()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="session")
def emoji_run(tmp_path_factory) -> Path:
    """An extract run of one article full of emoji and accents (non-BMP text)."""
    inputs = tmp_path_factory.mktemp("emoji-articles")
    (inputs / "cafes.txt").write_text(EMOJI_ARTICLE, encoding="utf-8")
    out = tmp_path_factory.mktemp("emoji-run")
    run_extract([inputs], out)
    return out
