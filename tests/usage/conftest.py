"""The usage tests use the shared territory of tests/people.py, with a few
datasets: public ones in both communes and a private one in commune A, and a
real SMTP server (aiosmtpd, in a thread) that CKAN's mailer sends to."""

from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from ckan.tests import helpers

from tests.factories import dataset_fields
from tests.people import territory

__all__ = ["catalogue", "fresh_visitors", "mailbox", "territory"]


def create_dataset(territory, org: str, name: str, **fields) -> dict:
    sysadmin = territory["people"]["sysadmin"]["name"]
    return helpers.call_action(
        "package_create",
        context={"user": sysadmin},
        owner_org=territory[org]["id"],
        name=name,
        title=fields.pop("title", name.replace("-", " ").capitalize()),
        **dataset_fields(**fields),
    )


@pytest.fixture
def catalogue(territory):
    """Commune A (Engins) has a public and a private dataset, commune B
    (Villard-de-Lans) a public one."""
    territory["datasets"] = {
        "budget_a": create_dataset(territory, "a", "budget-engins"),
        "private_a": create_dataset(territory, "a", "brouillon-engins", private=True),
        "menus_b": create_dataset(territory, "b", "menus-villard"),
    }
    return territory


def call_as(territory, role: str | None, action: str, **data):
    user = territory["people"][role]["name"] if role else ""
    return helpers.call_action(
        action, context={"user": user, "ignore_auth": False}, **data
    )


class Mailbox:
    """Keeps every message the SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    @staticmethod
    def text(message: email.message.EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox(ckan_config, monkeypatch):
    """A local SMTP server, with CKAN's smtp.server pointing at it."""
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{controller.port}")
    yield box
    controller.stop()


@pytest.fixture
def fresh_visitors(reset_redis):
    """Forget the visitors already seen today (Redis is shared by the tests)."""
    reset_redis("territoire:usage:*")
    yield
    reset_redis("territoire:usage:*")
