"""Who reads the observatory: everyone, signed in or not, whatever their
role, as the procurement data is public; each sees the same figures."""

from __future__ import annotations

import pytest

from tests.people import ROLES, headers, user_of

pytestmark = pytest.mark.usefixtures("seeded")

# Each page, and an amount it shows (Villard's 340,000, Engins' 380,000).
PAGES = [
    ("/observatory", "340\u202f000"),
    ("/observatory.csv?group_by=cpv", "340000"),
    ("/organization/engins/observatory", "380\u202f000"),
    ("/organization/villard-de-lans/observatory.csv", "340000"),
]


def test_every_role_reads_the_same_figures(app, seeded):
    seen = {}
    for role in ROLES:
        auth = headers(user_of(seeded, role))
        stats = app.post(
            "/api/3/action/territoire_procurement_stats",
            json={"group_by": "commune"},
            headers=auth,
        )
        gaps = app.post(
            "/api/3/action/territoire_procurement_gaps", json={}, headers=auth
        )
        assert stats.status_code == 200, (role, stats.body[:500])
        assert gaps.status_code == 200, (role, gaps.body[:500])
        seen[role] = (
            stats.json["result"]["total"]["amount"],
            tuple(g["key"] for g in gaps.json["result"]["gaps"]),
        )

    assert seen == {role: (780000, ("72", "90")) for role in ROLES}


@pytest.mark.parametrize(("path", "amount"), PAGES)
def test_every_role_opens_the_pages(app, seeded, path, amount):
    for role in ROLES:
        response = app.get(path, headers=headers(user_of(seeded, role)))

        assert response.status_code == 200, (role, path)
        body = response.get_data(as_text=True)
        assert amount in body, (role, path)
