"""The onboarding guide shared by a territory's members: its four steps (a data
file) and the notes its EPCI's administrators add to them (a table created by
the alembic migration 0002_guide_notes).

A note is the territory's own word on a step: a text (Markdown) and links to
its own resources (the EPCI's data officer, a training session, a shared
procedure). Every save is a new row, never updated: the history is the table
and the current note of a step is its latest row, so an erased text can be
found again.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
import yaml
from ckan import model
from ckan.plugins import toolkit as tk

GUIDE_FILE = Path(__file__).with_name("guide.yaml")
# The note shown above the four steps.
INTRO = "intro"
NOTE_MAX_LENGTH = 5000
LINKS_MAX = 10
LINK_LABEL_MAX_LENGTH = 200


@functools.cache
def steps() -> tuple[dict[str, Any], ...]:
    return tuple(yaml.safe_load(GUIDE_FILE.read_text(encoding="utf-8"))["steps"])


def note_places() -> list[str]:
    """Where a note can go: above the guide, then each step."""
    return [INTRO, *(step["id"] for step in steps())]


def _now() -> dt.datetime:
    """UTC, without time zone, like CKAN's own timestamps."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class GuideNote(tk.BaseModel):
    __tablename__ = "territoire_guide_note"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=lambda: str(uuid.uuid4()))
    epci_id = sa.Column(
        sa.UnicodeText, sa.ForeignKey("group.id", ondelete="CASCADE"), nullable=False
    )
    step_id = sa.Column(sa.UnicodeText, nullable=False)
    note = sa.Column(sa.UnicodeText, nullable=False, default="")
    # JSON list of {"label", "url"}.
    links = sa.Column(sa.UnicodeText, nullable=False, default="[]")
    user_id = sa.Column(
        sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    created = sa.Column(sa.DateTime, nullable=False, default=_now)

    def as_dict(self) -> dict[str, Any]:
        user = model.User.get(self.user_id) if self.user_id else None
        return {
            "step": self.step_id,
            "note": self.note,
            "links": json.loads(str(self.links)),
            "user": user.name if user else None,
            "user_display_name": user.display_name if user else None,
            "created": self.created.isoformat(),
        }


def record(
    epci_id: str,
    step_id: str,
    note: str,
    links: list[dict[str, str]],
    user_id: str | None,
) -> GuideNote:
    """Store a step's note (a new row: the earlier ones stay)."""
    row = GuideNote(
        epci_id=epci_id,
        step_id=step_id,
        note=note,
        links=json.dumps(links, ensure_ascii=False),
        user_id=user_id,
        created=_now(),
    )
    model.Session.add(row)
    model.Session.commit()
    return row


def current(epci_id: str) -> dict[str, GuideNote]:
    """The latest note of each step of an EPCI (an emptied note included)."""
    rows = (
        model.Session.query(GuideNote)
        .filter(GuideNote.epci_id == epci_id)
        .distinct(GuideNote.step_id)
        .order_by(GuideNote.step_id, GuideNote.created.desc(), GuideNote.id.desc())
        .all()
    )
    return {str(row.step_id): row for row in rows}


def history(
    epci_id: str, step_id: str | None = None, limit: int | None = None
) -> list[GuideNote]:
    """Every note saved by an EPCI (for one step), newest first (the ``limit``
    newest)."""
    query = model.Session.query(GuideNote).filter(GuideNote.epci_id == epci_id)
    if step_id:
        query = query.filter(GuideNote.step_id == step_id)
    query = query.order_by(GuideNote.created.desc(), GuideNote.id.desc())
    return query.limit(limit).all()


def unknown_step(value: str) -> str:
    return tk._('"{value}" is not a place of the guide. Allowed: {allowed}.').format(
        value=value, allowed=", ".join(note_places())
    )


def _checked_link(position: int, link: Any) -> tuple[dict[str, str] | None, str | None]:
    """A clean {"label", "url"} or the message saying what is wrong with the
    link at ``position`` (counted from 1)."""
    if not isinstance(link, dict):
        message = tk._('Link {n}: give an object {{"label": ..., "url": ...}}.')
        return None, message.format(n=position)
    label = str(link.get("label") or "").strip()
    url = str(link.get("url") or "").strip()
    if not label:
        return None, tk._("Link {n}: the label is missing.").format(n=position)
    if len(label) > LINK_LABEL_MAX_LENGTH:
        return None, tk._(
            "Link {n}: the label has {length} characters, at most {maximum} "
            "are allowed."
        ).format(n=position, length=len(label), maximum=LINK_LABEL_MAX_LENGTH)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None, tk._(
            'Link {n}: "{value}" is not a web address (it must start with '
            "https:// or http://)."
        ).format(n=position, value=url)
    return {"label": label, "url": url}, None


def checked_note(data_dict: dict[str, Any]) -> tuple[str, str, list[dict[str, str]]]:
    """step, note and links of a note to save, or a ValidationError naming each
    wrong field and its rule."""
    errors: dict[str, list[str]] = {}
    step = str(data_dict.get("step") or "")
    if not step:
        errors["step"] = [
            tk._("Missing value. Allowed: {allowed}.").format(
                allowed=", ".join(note_places())
            )
        ]
    elif step not in note_places():
        errors["step"] = [unknown_step(step)]
    note = data_dict.get("note")
    note = "" if note is None else note
    if not isinstance(note, str):
        errors["note"] = [tk._("The note must be text.")]
    elif len(note.strip()) > NOTE_MAX_LENGTH:
        errors["note"] = [
            tk._(
                "The note has {length} characters: at most {maximum} are allowed."
            ).format(length=len(note.strip()), maximum=NOTE_MAX_LENGTH)
        ]
    raw_links = data_dict.get("links")
    if raw_links is None:
        raw_links = []
    elif isinstance(raw_links, str):
        # The action API's GET and form posts send a JSON text.
        try:
            raw_links = json.loads(raw_links) if raw_links.strip() else []
        except ValueError:
            raw_links = None
    links: list[dict[str, str]] = []
    if not isinstance(raw_links, list):
        errors["links"] = [
            tk._('Give a list of links, each {"label": ..., "url": ...}.')
        ]
    elif len(raw_links) > LINKS_MAX:
        errors["links"] = [
            tk._("{count} links given: at most {maximum} are allowed.").format(
                count=len(raw_links), maximum=LINKS_MAX
            )
        ]
    else:
        messages = []
        for position, raw in enumerate(raw_links, start=1):
            link, message = _checked_link(position, raw)
            if message:
                messages.append(message)
            elif link:
                links.append(link)
        if messages:
            errors["links"] = messages
    if errors:
        raise tk.ValidationError(errors)
    return step, str(note).strip(), links


def parse_link_lines(text: str) -> list[dict[str, str]]:
    """The links of the web form: one per line, "label | address"; a line
    without "|" is its own label."""
    links = []
    for line in text.splitlines():
        if not line.strip():
            continue
        label, _bar, url = line.rpartition("|")
        if not _bar:
            label = url = line
        links.append({"label": label.strip(), "url": url.strip()})
    return links


def link_lines(links: list[dict[str, str]]) -> str:
    return "\n".join(f"{link['label']} | {link['url']}" for link in links)
