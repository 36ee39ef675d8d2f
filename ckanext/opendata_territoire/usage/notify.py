"""E-mails to the publishers and to reusers, through CKAN's mailer and its
``smtp.*`` settings. A mail that cannot be sent is logged and counted, never
fatal: what the reuser wrote is already stored and shown on the page."""

from __future__ import annotations

import logging

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import mailer

log = logging.getLogger(__name__)

EDITING_CAPACITIES = ("editor", "admin")


def editors(org_id: str) -> list[model.User]:
    """The active editors and admins of an organization who have an e-mail."""
    return (
        model.Session.query(model.User)
        .join(model.Member, model.Member.table_id == model.User.id)
        .filter(model.Member.group_id == org_id)
        .filter(model.Member.table_name == "user")
        .filter(model.Member.state == "active")
        .filter(model.Member.capacity.in_(EDITING_CAPACITIES))
        .filter(model.User.state == "active")
        .filter(model.User.email.isnot(None))
        .filter(model.User.email != "")
        .order_by(model.User.name)
        .all()
    )


def send(users: list[model.User], subject: str, body: str) -> int:
    """Mail each user; the number of mails sent. Without a sender address
    (``smtp.mail_from``) nothing is sent; any failure of the mail server or
    of its settings is logged, never raised."""
    if users and not tk.config.get("smtp.mail_from"):
        log.warning(
            "smtp.mail_from is not set: %d mails not sent about: %s",
            len(users),
            subject,
        )
        return 0
    sent = 0
    for user in users:
        try:
            mailer.mail_recipient(user.display_name, str(user.email), subject, body)
        except Exception:
            log.exception("Could not mail %s about: %s", user.name, subject)
        else:
            sent += 1
    return sent


def dataset_url(package: model.Package, anchor: str) -> str:
    return tk.url_for("dataset.read", id=package.name, _external=True) + anchor


def organization_url(route: str, org: model.Group) -> str:
    return tk.url_for(route, id=org.name, _external=True)
