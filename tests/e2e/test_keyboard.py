"""The dataset form and the licence chooser with the keyboard only (RGAA
criteria 7.3 and 12.8: every control reachable with Tab, in an order that
follows the form, usable with Enter and the arrows, its focus visible)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  // select2 (tags, themes) shows the focus on its container, not its input.
  const box = el.closest('.select2-container');
  const style = getComputedStyle(box || el);
  return {
    id: el.id, name: el.getAttribute('name') || '', tag: el.tagName.toLowerCase(),
    text: (el.innerText || '').trim().slice(0, 60),
    visible: box ? box.classList.contains('select2-container-active')
                 : style.outlineStyle !== 'none' || style.boxShadow !== 'none',
  };
}"""


def tab_through(page: Any, stop: str, limit: int = 200) -> list[dict[str, Any]]:
    """Presses Tab from the top of the page until the focus is on the element
    matching the CSS selector ``stop``; the focused elements in order."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        seen.append(focused)
        if page.evaluate(f"document.activeElement.matches({stop!r})"):
            return seen
    raise AssertionError(f"{stop} not reached with Tab: {[f['id'] for f in seen]}")


def test_the_dataset_form_and_the_licence_chooser_work_with_the_keyboard(
    journey, territory
):
    editor = journey()
    page = editor.page
    editor.login(territory["people"]["editor_a"])
    editor.go("/dataset/new?owner_org=" + territory["a"]["id"])
    editor.step("dataset form")

    page.focus("#field-title")
    page.keyboard.type("Menus de la cantine")
    tabbed = tab_through(page, "summary")
    order = [f["id"] for f in tabbed if f["id"]]
    # The form's fields come in their visual order before the chooser.
    for before, after in [("field-notes", "field-license_id")]:
        assert before in order and after in order, order
        assert order.index(before) < order.index(after), order
    assert all(f["visible"] for f in tabbed if f["tag"] in ("input", "select")), [
        f for f in tabbed if not f["visible"]
    ]

    # The chooser: opened with Enter, answered with the arrows, run with Enter.
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.parentElement.open")
    editor.step("chooser opened with the keyboard")
    # A group of radio buttons is one Tab stop; the arrows choose in it.
    tab_through(page, "input[name=licence_question_share_alike]", limit=40)
    for _ in range(3):
        if page.is_checked("#licence_question_share_alike-yes"):
            break
        page.keyboard.press("ArrowUp")
    assert page.is_checked("#licence_question_share_alike-yes")
    tab_through(page, "button[name=territoire_licence_recommend]", limit=40)
    with page.expect_navigation():  # a key press does not wait for it
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    editor.step("licence recommended with the keyboard")

    assert page.input_value("#field-license_id") == "odc-odbl"
    assert page.input_value("#field-title") == "Menus de la cantine"

    # Themes are checkboxes; the fee's fields show only when a fee applies.
    page.check("#field-theme-EDUC")
    assert not page.is_visible("#field-reuse_fee_basis")
    assert not page.is_visible("#field-reuse_fee_terms")
    page.select_option("#field-reuse_fee", "fee")
    assert page.is_visible("#field-reuse_fee_basis")
    editor.step("a fee chosen: its fields shown")
    page.select_option("#field-reuse_fee", "free")
    assert not page.is_visible("#field-reuse_fee_basis")

    # On to saving, still with the keyboard.
    page.select_option("#field-personal_data", "none")
    tab_through(page, "button.btn-primary[name=save]", limit=120)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    editor.step("resource form reached with the keyboard")
    assert page.locator("#field-resource-upload, #field-image-url").count() > 0

    editor.assert_accessible()
