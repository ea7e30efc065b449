"""The one module that talks to Label Studio (through label-studio-sdk).

``Studio`` wraps the few SDK calls claimset needs and translates every server or transport
error, once, into a ``ClaimsetError`` with a code and a hint.

Faults: connection errors, timeouts and 5xx/429 answers are retried with exponential backoff
for at most CLAIMSET_STUDIO_RETRY_SECONDS (default 60) after the first failure, then reported.
The SDK's own blind retries are switched off. Calls that create something (a project, a batch
of tasks) are retried only when the request never reached the server (connection refused):
after a timeout or a 5xx the server may have committed it, so the error is reported instead and
the next push lists the project's tasks, keeps one task per claim and imports only the rest.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from builder.errors import ClaimsetError, Errors
from builder.records import StudioCredentials, StudioServer
from builder.runfiles import read_record
from builder.studio.server import studio_home

PAGE_SIZE = 5000
RETRY_ENV = "CLAIMSET_STUDIO_RETRY_SECONDS"
RETRY_SECONDS = 60.0  # default total time spent retrying one call after its first failure
FIRST_DELAY, MAX_DELAY = 0.5, 8.0  # backoff: 0.5, 1, 2, 4, 8, 8, ... seconds
NOTICE_AFTER = 5.0  # a wait longer than this is announced: the user learns why nothing happens
log = logging.getLogger("claimset.studio")  # unconfigured, warnings still reach stderr


def retry_seconds() -> float:
    """How long one call keeps retrying after its first failure (CLAIMSET_STUDIO_RETRY_SECONDS)."""
    value = os.environ.get(RETRY_ENV, "").strip()
    if not value:
        return RETRY_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ClaimsetError(Errors.E314, name=RETRY_ENV, value=value)
    return seconds


class _Failed(Exception):
    """The last error of a call, after ``waited`` seconds of retrying."""

    def __init__(self, error: Exception, waited: float) -> None:
        self.error, self.waited = error, waited


@dataclass
class Connection:
    url: str
    api_key: str = field(repr=False)

    @classmethod
    def resolve(cls) -> Connection:
        """LABEL_STUDIO_URL + LABEL_STUDIO_API_KEY, else the local instance of `claimset studio up`."""
        url, key = os.environ.get("LABEL_STUDIO_URL"), os.environ.get("LABEL_STUDIO_API_KEY")
        home = studio_home()
        if not url and (home / "server.json").is_file():
            url = read_record(home / "server.json", StudioServer)["url"]
        if url and not key and (home / "credentials.json").is_file():
            key = read_record(home / "credentials.json", StudioCredentials)["api_key"]
        if not url or not key:
            raise ClaimsetError(Errors.E305)
        return cls(url.rstrip("/"), key)


class Studio:
    """A thin, error-translating layer over label-studio-sdk."""

    def __init__(self, connection: Connection | None = None, timeout: float = 900) -> None:
        from label_studio_sdk import LabelStudio

        self.connection = connection or Connection.resolve()
        self.retry_seconds = retry_seconds()
        self.sdk = LabelStudio(
            base_url=self.connection.url, api_key=self.connection.api_key, timeout=timeout, max_retries=0
        )

    def call(
        self, action: str, fn: Callable[..., Any], *args: Any, idempotent: bool = True, **kwargs: Any
    ) -> Any:
        """Run one SDK call with retries, turning transport and HTTP errors into claimset errors.

        ``idempotent=False`` (creating something): retried only if the request was never sent.
        """
        try:
            return self._retrying(lambda: fn(*args, **kwargs), idempotent)
        except _Failed as failed:
            raise self._translate(action, failed) from None

    def _retrying(self, attempt: Callable[[], Any], idempotent: bool) -> Any:
        import httpx
        from label_studio_sdk.core.api_error import ApiError

        not_sent = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
        first_failure, delay, noticed = None, FIRST_DELAY, False
        while True:
            try:
                return attempt()
            except (ApiError, httpx.TransportError) as error:
                now = time.monotonic()
                first_failure = first_failure if first_failure is not None else now
                waited = now - first_failure
                if isinstance(error, ApiError):
                    transient = error.status_code is not None and (
                        error.status_code >= 500 or error.status_code == 429
                    )
                    retry = transient and idempotent
                else:
                    retry = idempotent or isinstance(error, not_sent)
                if not retry or waited >= self.retry_seconds:
                    raise _Failed(error, waited) from None
                if waited + delay >= NOTICE_AFTER and not noticed:  # about to make it a long wait
                    noticed = True
                    log.warning(
                        "Label Studio at %s is not answering; retrying for up to %.0f s in all (%s)",
                        self.connection.url,
                        self.retry_seconds,
                        RETRY_ENV,
                    )
                time.sleep(min(delay, self.retry_seconds - waited))
                delay = min(delay * 2, MAX_DELAY)

    def _translate(self, action: str, failed: _Failed) -> ClaimsetError:
        from label_studio_sdk.core.api_error import ApiError

        error = failed.error
        after = f", gave up after retrying for {failed.waited:.0f} s" if failed.waited else ""
        if isinstance(error, ApiError):
            if error.status_code in (401, 403):
                return ClaimsetError(Errors.E307, url=self.connection.url)
            detail = _short(error.body) + after
            return ClaimsetError(Errors.E308, status=error.status_code, action=action, detail=detail)
        return ClaimsetError(Errors.E306, url=self.connection.url, detail=type(error).__name__ + after)

    # projects

    def find_project(self, title: str) -> Any | None:
        def find():
            return next(
                (p for p in self.sdk.projects.list(title=title, page_size=100) if p.title == title), None
            )

        return self.call("list projects", find)

    def projects_titled(self, prefix: str) -> list[Any]:
        """Every project whose title starts with ``prefix``."""
        return self.call(
            "list projects",
            lambda: [
                p for p in self.sdk.projects.list(title=prefix, page_size=100) if p.title.startswith(prefix)
            ],
        )

    def ensure_project(
        self, title: str, label_config: str, maximum_annotations: int, instructions: str = ""
    ) -> tuple[Any, bool]:
        """The project titled ``title``, created if missing; its interface validated, then applied.

        Its settings keep annotators independent and guided: instructions shown before they
        start (and from the toolbar), no predictions, no annotation history.
        """
        if len(title.strip()) < 3:
            raise ClaimsetError(Errors.E311, name=title)
        project = self.find_project(title)
        created = project is None
        if created:
            project = self.call("create project", self.sdk.projects.create, title=title, idempotent=False)
        if project.label_config != label_config:
            self.validate(project.id, label_config)
        changes: dict[str, Any] = {}
        if project.label_config != label_config:
            changes["label_config"] = label_config
        if project.maximum_annotations != maximum_annotations:
            changes["maximum_annotations"] = maximum_annotations
        settings = {
            "expert_instruction": instructions,
            "show_instruction": bool(instructions),
            "show_collab_predictions": False,
            "show_annotation_history": False,
        }
        changes.update({k: v for k, v in settings.items() if getattr(project, k, None) != v})
        if changes:
            project = self.call("update project", self.sdk.projects.update, id=project.id, **changes)
        return project, created

    def validate(self, project_id: int, label_config: str) -> None:
        from label_studio_sdk.core.api_error import ApiError

        def attempt():
            return self.sdk.projects.validate_label_config(id=project_id, label_config=label_config)

        try:
            self._retrying(attempt, idempotent=True)
        except _Failed as failed:
            if isinstance(failed.error, ApiError) and failed.error.status_code == 400:
                raise ClaimsetError(Errors.E309, detail=_short(failed.error.body)) from None
            raise self._translate("validate labeling interface", failed) from None

    # tasks

    def task_keys(self, project_id: int) -> list[dict]:
        """id, meta, annotation count and update time of every task (no task data: fast)."""

        def listing():
            pager = self.sdk.tasks.list(
                project=project_id,
                fields="task_only",
                include="id,meta,total_annotations,cancelled_annotations,updated_at",
                page_size=PAGE_SIZE,
            )
            return [
                {
                    "id": t.id,
                    "meta": t.meta or {},
                    "annotations": (t.total_annotations or 0) + (t.cancelled_annotations or 0),
                }
                for t in pager
            ]

        return self.call("list tasks", listing)

    def tasks_with_annotations(self, project_id: int, since: str | None) -> list[Any]:
        """Full tasks (data and annotations) updated at or after ``since`` (all when None)."""
        query = None
        if since:
            item = {"filter": "filter:tasks:updated_at", "operator": "greater_or_equal", "type": "Datetime"}
            query = json.dumps({"filters": {"conjunction": "and", "items": [{**item, "value": since}]}})
        return self.call(
            "list annotated tasks",
            lambda: list(self.sdk.tasks.list(project=project_id, fields="all", query=query, page_size=1000)),
        )

    def import_tasks(self, project_id: int, tasks: list[dict]) -> list[int]:
        """Import tasks; returns their new ids, in order."""
        response = self.call(
            "import tasks",
            self.sdk.projects.import_tasks,
            id=project_id,
            request=tasks,
            return_task_ids=True,
            idempotent=False,
        )
        return list(response.task_ids or [])

    def newest_task_id(self, project_id: int) -> int | None:
        def newest():
            query = json.dumps({"ordering": ["-tasks:id"]})
            pager = self.sdk.tasks.list(
                project=project_id, fields="task_only", include="id", page_size=1, query=query
            )
            return next((t.id for t in pager), None)

        return self.call("list tasks", newest)

    def annotation_count(self, task_id: int) -> int:
        task = self.call("get task", self.sdk.tasks.get, id=str(task_id))
        return (task.total_annotations or 0) + (task.cancelled_annotations or 0)

    def delete_tasks(self, project_id: int, task_ids: list[int]) -> None:
        """Delete tasks in one Data Manager action."""
        selected = {"all": False, "included": list(task_ids)}
        self.call(
            "delete tasks",
            self.sdk.actions.create,
            id="delete_tasks",
            project=project_id,
            selected_items=selected,
        )

    def delete_task(self, task_id: int) -> None:
        self.call("delete task", self.sdk.tasks.delete, id=str(task_id))

    def user_emails(self) -> dict[int, str]:
        return self.call("list users", lambda: {u.id: u.email or str(u.id) for u in self.sdk.users.list()})


def _short(body: Any, limit: int = 300) -> str:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, default=str)
    return " ".join(text.split())[:limit]
