"""What a person does in the FiftyOne App, as Playwright calls.

Fields are found by the label a person reads (input ids are not stable), a
model's own options inside that model's section (its label as the heading).
Waits are on something visible, never on a fixed sleep.
"""

import os
import re
import time

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, in CI, fail) saying so
    expect = None

MODAL = '[data-cy="operators-prompt-modal"]'
SEARCH = "Search operations by name..."
# the innermost form row (a grid item) around a label
_ROW = "xpath=ancestor::div[contains(@class, 'MuiGrid-item')][1]"
_INPUT = "input:not([aria-hidden=true]), textarea:not([aria-hidden=true])"
SLOW = 120_000  # ms: a run on 2 loaded cores, the App reloading its grid


# the names in the open model list once it shows only models matching the
# search box's text (read in one go: the App may redraw at any moment); null
# until then
_OPTIONS_MATCHING = """(box, text) => {
  if (box.value.toLowerCase() !== text) return null;
  if (document.querySelector('.MuiAutocomplete-noOptions')) return [];
  const shown = [...document.querySelectorAll('[role="listbox"] [role="option"]')];
  if (!shown.length || !shown.every(o => o.textContent.toLowerCase().includes(text))) return null;
  return shown.map(o => o.querySelector("p").innerText);
}"""


def exactly(text):
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def model_named(label):
    """A model as the model list and its chips show it: its name first, then
    its id and where it runs ("Stable Diffusion XL · sdxl · Local, Replicate")."""
    return re.compile(rf"^\s*{re.escape(label)}(\s+·.*|\s+\(.*)?\s*$")


# WCAG's contrast ratio of an element's text against the first opaque
# background behind it (4.5 is the AA minimum for body text)
_CONTRAST = """(el) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  let node = el, back = [255, 255, 255];
  for (; node; node = node.parentElement) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { back = c; break; }
  }
  const a = lum(rgb(getComputedStyle(el).color)), b = lum(back);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def contrast(locator):
    """The contrast ratio a person reads ``locator``'s text at (1 to 21)."""
    return locator.evaluate(_CONTRAST)


def light_theme(page):
    """Opens the App in its light theme, as its theme button leaves it (MUI's
    stored mode), for this page only."""
    page.add_init_script("window.localStorage.setItem('mui-mode', 'light')")


class AppUI:
    def __init__(self, page, base_url, shots_dir):
        self.page = page
        self.base_url = base_url
        self.shots_dir = shots_dir
        self.errors = []
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.set_default_timeout(30_000)

    # pages ---------------------------------------------------------------------------

    def open_dataset(self, name, view=None):
        url = f"{self.base_url}/datasets/{name}" + (f"?view={view}" if view else "")
        self.page.goto(url, wait_until="load")
        # "Samples" in the grid's tab, or "No samples yet" on an empty dataset
        self.page.get_by_text(re.compile(r"\bsamples\b", re.I)).first.wait_for(timeout=SLOW)
        self.dismiss_popups()

    def dismiss_popups(self):
        dismiss = self.page.get_by_text("Dismiss", exact=True)
        if dismiss.count() and dismiss.first.is_visible():
            dismiss.first.click()

    def shot(self, name):
        """Saves what a person sees now as ``<name>.png``; an open form is
        shown whole (in a tall window, so that it does not scroll)."""
        os.makedirs(self.shots_dir, exist_ok=True)
        path = os.path.join(self.shots_dir, f"{name}.png")
        size = self.page.viewport_size
        if not (self.form.count() and self.form.first.is_visible()):
            self.page.screenshot(path=path)
            return path
        self.page.set_viewport_size({"width": size["width"], "height": 2600})
        try:
            box = self.form.first.bounding_box()
            bottom = max(size["height"], box["y"] + box["height"] + 16)
            self.page.screenshot(path=path, clip={
                "x": 0, "y": 0, "width": size["width"], "height": min(bottom, 2600)})
        finally:
            self.page.set_viewport_size(size)
        return path

    # the operator browser and its form ---------------------------------------------

    def open_operator(self, label, first_input="Models"):
        """Backtick, type the operator's name, pick it: the form opens."""
        self.page.keyboard.press("`")
        self.page.get_by_placeholder(SEARCH).fill(label)
        self.page.get_by_text(label, exact=True).first.click()
        self.form.wait_for()
        self.label(first_input).wait_for()
        return self.form

    @property
    def form(self):
        return self.page.locator(MODAL)

    def close_form(self):
        self.form.get_by_role("button", name="Cancel").click()
        expect(self.form).to_have_count(0)

    def label(self, text, within=None):
        scope = within if within is not None else self.form
        return scope.locator("p").filter(has_text=exactly(text)).first

    def row(self, text, within=None):
        """The form row of the input labelled ``text``."""
        return self.label(text, within).locator(_ROW)

    def section(self, model_label):
        """A chosen model's own options (backend, sizes, steps...), under a
        heading with its name."""
        heading = self.form.locator("p").filter(has_text=exactly(model_label)).last
        return heading.locator(_ROW)

    def chips(self, label):
        return self.row(label).locator(".MuiChip-root")

    def choose_models(self, labels):
        """Removes the chosen models (the x on each chip), then opens the
        list and clicks each model by its name."""
        row = self.row("Models")
        chips = self.chips("Models")
        while chips.count():
            before = chips.count()
            chips.first.locator(".MuiChip-deleteIcon").click()
            expect(chips).to_have_count(before - 1)
        for label in labels:
            row.get_by_role("combobox").click()
            self.page.get_by_role("listbox").get_by_role("option").filter(
                has=self.page.locator("p").filter(has_text=model_named(label))).first.click()
            expect(chips.filter(has_text=model_named(label))).to_have_count(1)
        self.label("Models").click()  # closes the list (Escape would close the form)
        self.expect_models(labels)
        for label in labels:  # each chosen model gets its section
            self.section(label).wait_for()

    def expect_models(self, labels):
        """The chosen models' chips read ``labels`` (each chip: the name, then
        the id and where the model runs)."""
        expect(self.chips("Models")).to_have_text([model_named(x) for x in labels])

    def search_models(self, text):
        """Types ``text`` in the model list's search box, as a person looks
        for a model; returns the names of the models offered."""
        box = self.row("Models").get_by_role("combobox")
        box.click()
        # The App clears this box whenever it redraws the form (FiftyOne
        # 1.22's AutocompleteView; README: "What the App decides"), and the
        # list filters only after the keystrokes land: a CI run read
        # "openai"'s list for "local", another waited 30 s on a box the App
        # had emptied. So type again until the box holds the text and every
        # option shown (or MUI's "No options" line) answers it.
        deadline = time.monotonic() + SLOW / 1000
        while True:
            if box.input_value() != text:
                box.fill(text)  # opens the list too
            elif not self.page.locator('[role="listbox"], .MuiAutocomplete-noOptions').count():
                box.click()  # a redraw closed the list
            found = box.evaluate(_OPTIONS_MATCHING, text.lower())
            if found is not None:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"the model list never answered the search {text!r}")
            self.page.wait_for_timeout(100)  # the next animation frames
        box.fill("")
        self.label("Models").click()
        return found

    # the form's scrolling body (its whole height, whatever the window)
    form_body = f"{MODAL} form"

    @property
    def advanced_toggle(self):
        return self.form.get_by_role("button").filter(has_text=re.compile(r"^Advanced"))

    def open_advanced(self):
        """Unfolds the form's Advanced section (output folder, shards...)."""
        if self.advanced_toggle.get_attribute("aria-expanded") != "true":
            self.advanced_toggle.click()
        expect(self.advanced_toggle).to_have_attribute("aria-expanded", "true")

    def fill(self, label, value, within=None):
        field = self.row(label, within).locator(_INPUT).first
        field.fill(str(value))
        field.blur()

    def value(self, label, within=None):
        """The value of an input; for a dropdown, the chosen value."""
        field = self.row(label, within).locator(f"input.MuiSelect-nativeInput, {_INPUT}")
        return field.first.input_value()

    def select(self, label, choice, within=None):
        """A dropdown: open it, click the choice whose label is ``choice``."""
        self.row(label, within).get_by_role("combobox").first.click()
        self.page.get_by_role("listbox").get_by_role("option").filter(
            has_text=re.compile(rf"^\s*{re.escape(choice)}\b")).first.click()
        expect(self.page.get_by_role("listbox")).to_have_count(0)

    def expect_error(self, label, text, within=None):
        """The input labelled ``label`` is flagged with a message holding
        ``text``."""
        expect(self.row(label, within).get_by_text(text).first).to_be_visible(timeout=SLOW)

    def expect_summary(self, text):
        """Waits until the form has settled on ``text`` in its summary (a
        valid form: Execute is enabled, no input is flagged)."""
        expect(self.form.get_by_text(text).first).to_be_visible(timeout=SLOW)
        expect(self.execute_button).to_be_enabled(timeout=SLOW)

    @property
    def execute_button(self):
        return self.form.get_by_role("button", name="Execute", exact=True)

    def execute(self):
        expect(self.execute_button).to_be_enabled(timeout=SLOW)
        self.execute_button.click()

    def schedule(self):
        """Execute's menu → Schedule, then the button (now "Schedule"): the
        run is queued as a delegated operation instead of running now."""
        expect(self.execute_button).to_be_enabled(timeout=SLOW)
        self.form.locator("button:right-of(:text-is('Execute'))").first.click()
        self.page.get_by_text("Schedule", exact=True).first.click()
        button = self.form.get_by_role("button", name="Schedule", exact=True)
        expect(button).to_be_enabled(timeout=SLOW)
        button.click()

    def expect_notice(self, text, timeout=SLOW):
        """The message the operator shows when it is done (a snackbar)."""
        notice = self.page.locator(".MuiSnackbar-root, [role=alert]").filter(
            has_text=text).first
        expect(notice).to_be_visible(timeout=timeout)
        return notice.inner_text()

    def close_progress(self, timeout_s=60):
        """The run's progress panel stays open with a Done button, which can
        appear a moment after the run's last message: wait for it, or for
        the panel to go away on its own."""
        done = self.page.get_by_role("button", name="Done", exact=True)
        panel = self.page.locator(".MuiDialog-root")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if done.count() and done.first.is_visible():
                done.first.click()
                return
            if not panel.count() or not panel.first.is_visible():
                return
            self.page.wait_for_timeout(200)

    # the grid and the sample modal ------------------------------------------------------

    def expect_sample_count(self, count, noun="sample", timeout=SLOW):
        """The App's own count of what is in view ("3 samples", "1 group")."""
        word = noun if count == 1 else noun + "s"
        expect(self.page.get_by_text(exactly(f"{count:,} {word}")).first).to_be_visible(
            timeout=timeout)

    def open_saved_view(self, name):
        """Picks a saved view from the view selector, as a person does."""
        self.page.get_by_text("Unsaved view", exact=True).first.click()
        self.page.get_by_text(name, exact=True).first.click()
        expect(self.page).to_have_url(re.compile(rf"view={re.escape(name)}"))

    @property
    def tiles(self):
        """The grid's thumbnails (one per sample, or per group)."""
        return self.page.locator("[data-cy=fo-grid] [data-cy=looker]")

    _GRID_DRAWN = """() => [...document.querySelectorAll(
        '[data-cy=fo-grid] [data-cy=looker] canvas')].every(
        c => getComputedStyle(c).display !== 'none')
        && [...document.querySelectorAll('[class*=fallingPixels]')].every(
        e => getComputedStyle(e).display === 'none')"""

    def expect_grid_images(self, count):
        """``count`` thumbnails, each drawn (a tile's canvas stays hidden
        until its media has loaded; the grid's loader then hides), and still
        so a moment later (the App may refresh the grid once more)."""
        expect(self.tiles).to_have_count(count, timeout=SLOW)
        for _ in range(2):
            self.page.wait_for_function(self._GRID_DRAWN, timeout=SLOW)
            self.page.wait_for_timeout(1000)
        self.page.wait_for_function(self._GRID_DRAWN, timeout=SLOW)
        expect(self.tiles).to_have_count(count)

    def settle(self, timeout=20_000):
        """Best effort before a screenshot: a grid on the page is drawn."""
        if self.page.locator("[data-cy=fo-grid]").count():
            try:
                self.page.wait_for_function(self._GRID_DRAWN, timeout=timeout)
            except Exception:  # the picture then shows where it stands
                pass

    def select_tile(self, index):
        """Ticks a thumbnail's checkbox (it shows on hover): the sample is
        selected, as a person picks the images to use."""
        tile = self.tiles.nth(index)
        tile.hover()
        tile.locator("label[data-cy^=looker-checkbox]").first.click()
        expect(tile.locator("input[type=checkbox]").first).to_be_checked()

    def open_first_sample(self):
        """Clicks the first thumbnail: the sample (or group) opens."""
        self.tiles.first.click()
        expect(self.page.locator("[data-cy=modal]")).to_be_visible(timeout=SLOW)

    def expect_group_elements(self, labels):
        """The open group pages through one element per model, in order:
        page n shows model ``labels[n-1]`` (its provenance in the sidebar)."""
        modal = self.page.locator("[data-cy=modal]")
        model = modal.locator('[data-cy="sidebar-entry-generation.model_label"]')
        if not model.count():
            modal.locator("[data-cy=sidebar-group-GENERATION]").click()
        pages = modal.locator("[data-cy=dynamic-group-pagination-bar]")
        for n, label in enumerate(labels, 1):
            # the page numbers show while the mouse is over the media
            modal.locator("[data-cy=modal-looker-container]").hover()
            pages.locator(f"[data-cy=dynamic-group-pagination-item-{n}]").click()
            expect(model).to_have_text(label)
        expect(pages.locator(f"[data-cy=dynamic-group-pagination-item-{len(labels) + 1}]")
               ).to_have_count(0)

    @property
    def modal(self):
        return self.page.locator("[data-cy=modal]")

    def expect_video_plays(self):
        """The open video is loaded: the player knows its length."""
        expect(self.modal.get_by_text(
            re.compile(r"/ (?!0:00\.00)\d+:\d\d\.\d\d")).first).to_be_visible(timeout=SLOW)

    def expect_3d_viewer(self):
        """The open group shows its mesh in the 3D viewer (three.js); the
        wheel zooms out a little so the whole object is in view."""
        canvas = self.modal.locator("[data-cy=looker3d] canvas[data-engine]")
        expect(canvas).to_be_visible(timeout=SLOW)
        box = canvas.bounding_box()
        self.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + min(box["height"], 600) / 2)
        self.page.mouse.wheel(0, 400)


    # panels --------------------------------------------------------------------------

    def open_panel(self, name):
        """The "+" beside the Samples tab, then the panel by its name: it
        opens in a tab of its own."""
        self.page.locator("[data-cy=new-panel-btn]").first.click()
        self.page.locator(f"[data-cy=new-panel-option-{name}]").first.click()
