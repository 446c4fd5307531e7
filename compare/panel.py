"""The "Compare models" panel: Grid, Leaderboard and Arena tabs.

Thin: every handler reads what the person chose, hands off to the plain
functions of this package, and puts the result into panel state (small
things: choices, ids) or panel data (image URLs, tables, charts). Images are
served by the App itself (``/media?filepath=...``).

Keyboard: FiftyOne's Python panels have no key-press event. The arena has a
"vote keys" text box whose change event carries each key typed into it:
click it once (or Tab to it), then 1 = left, 2 = right, 3 = tie,
4 = both bad. Its buttons are keyboard-reachable too (Tab, Enter).
"""

import random
import threading
import urllib.parse

import fiftyone.operators as foo
import fiftyone.operators.types as types

from ..core import leaderboard
from . import charts, grid, pairs, thumbs, votes
from . import ratings as rating
from .outputs import outputs, score_fields

TABS = (("grid", "Grid"), ("leaderboard", "Leaderboard"), ("arena", "Arena"))
KEYS = {"1": "left", "2": "right", "3": "tie", "4": "both_bad"}
CHOICE_LABELS = {"left": "left is better", "right": "right is better", "tie": "tie",
                 "both_bad": "both bad"}
ALL = "__all__"
CELL = "140px"
# the last value of each panel's vote-keys box (see ComparePanel.on_key)
_KEYS_SEEN = {}
_KEYS_LOCK = threading.Lock()


def media_url(filepath):
    return "/media?" + urllib.parse.urlencode({"filepath": filepath})


def _dropdown(values, labels):
    view = types.DropdownView()
    for value in values:
        view.add_choice(value, label=labels.get(value, value))
    return view


class ComparePanel(foo.Panel):
    @property
    def config(self):
        return foo.PanelConfig(
            name="compare_models",
            label="Compare models",
            icon="compare",
            help_markdown="Prompts by models side by side, a leaderboard, and a "
                          "blind arena whose votes rank the models (Bradley-Terry).",
        )

    # events ---------------------------------------------------------------------

    def on_load(self, ctx):
        # a (re)opened panel starts on the grid: the tab shown and the
        # content loaded always agree
        ctx.panel.state.tab = "grid"
        self._refresh(ctx)

    def on_change_dataset(self, ctx):
        ctx.panel.state.arena = None
        ctx.panel.state.last_vote = None
        ctx.panel.state.grid_page = 0
        self._refresh(ctx)

    def on_change_view(self, ctx):
        self._refresh(ctx)

    def on_tab(self, ctx):
        ctx.panel.state.tab = ctx.params.get("tab") or "grid"
        self._refresh(ctx)

    def _refresh(self, ctx):
        tab = ctx.panel.state.tab
        if tab == "leaderboard":
            self._load_leaderboard(ctx)
        elif tab == "arena":
            self._load_arena(ctx)
        else:
            self._load_grid(ctx)

    def render(self, ctx):
        panel = types.Object()
        tab = ctx.panel.state.tab or "grid"
        # tabs as buttons drawn from the state: FiftyOne's TabsView keeps
        # its own choice across a reload while the state starts afresh
        tabs = panel.h_stack("tabs", gap=1)
        for value, label in TABS:
            tabs.btn(f"tab_{value}", label=label, on_click=self.on_tab,
                     params={"tab": value},
                     variant="contained" if value == tab else "outlined")
        if tab == "leaderboard":
            self._render_leaderboard(ctx, panel)
        elif tab == "arena":
            self._render_arena(ctx, panel)
        else:
            self._render_grid(ctx, panel)
        return types.Property(panel, view=types.GridView(
            orientation="vertical", align_x="left", align_y="top", gap=2))

    # grid -----------------------------------------------------------------------

    def _filter(self, ctx, name):
        # the input has put its value in the panel state already; writing it
        # back from here would make some inputs (the models list) change
        # again, and so on without end
        ctx.panel.state.grid_page = 0
        self._load_grid(ctx, changed={name: ctx.params.get("value")})

    def on_run(self, ctx):
        self._filter(ctx, "run")

    def on_index(self, ctx):
        self._filter(ctx, "index")

    def on_models(self, ctx):
        self._filter(ctx, "models")

    def on_backend(self, ctx):
        self._filter(ctx, "backend")

    def on_prompt(self, ctx):
        self._filter(ctx, "prompt")

    def on_metric(self, ctx):
        self._filter(ctx, "metric")

    def on_min_score(self, ctx):
        self._filter(ctx, "min_score")

    def on_prev(self, ctx):
        ctx.panel.state.grid_page = max(0, (ctx.panel.state.grid_page or 0) - 1)
        self._load_grid(ctx)

    def on_next(self, ctx):
        ctx.panel.state.grid_page = (ctx.panel.state.grid_page or 0) + 1
        self._load_grid(ctx)

    def on_open(self, ctx):
        sample_id = ctx.params.get("sample_id")
        if sample_id:
            ctx.ops.open_sample(id=sample_id)

    def _filters(self, ctx, changed=None):
        chosen = {**(ctx.panel.state.gf or {}), **(changed or {})}

        def picked(name):
            value = chosen.get(name)
            return None if value in (None, "", ALL, []) else value

        index, min_score = picked("index"), picked("min_score")
        return grid.Filters(
            run_id=picked("run"),
            index=int(index) if index is not None else None,
            models=[m for m in (picked("models") or []) if m],
            backends=[picked("backend")] if picked("backend") else [],
            prompt_contains=picked("prompt"),
            metric=picked("metric"),
            min_score=float(min_score) if min_score is not None else None,
        )

    def _load_grid(self, ctx, changed=None):
        built = grid.build(ctx.view, self._filters(ctx, changed),
                           page=ctx.panel.state.grid_page or 0)
        ctx.panel.state.grid_page = built.page
        rows, images = [], {}
        for r, row in enumerate(built.rows):
            cells = []
            for c, (model, _) in enumerate(built.columns):
                output = row["cells"].get(model)
                cells.append(None if output is None else {
                    "id": output["id"], "media_type": output["media_type"]})
                if output is not None and output["media_type"] == "image":
                    images.setdefault(f"r{r}", {})[f"c{c}"] = media_url(output["filepath"])
            rows.append({"prompt": row["prompt"], "index": row["index"], "cells": cells})
        ctx.panel.state.grid = {
            "columns": [label for _, label in built.columns],
            "rows": rows, "total": built.total_rows, "pages": built.pages,
            "choices": {**built.choices, "metrics": score_fields(ctx.view)},
        }
        ctx.panel.data.set("cells", images)

    def _render_grid(self, ctx, panel):
        state = ctx.panel.state.grid or {}
        choices = state.get("choices") or {}
        bar = panel.h_stack("gf", gap=1, align_y="center")
        runs = [ALL] + list(choices.get("runs") or [])
        bar.enum("run", runs, label="Run", default=ALL, on_change=self.on_run,
                 view=_dropdown(runs, {ALL: "Whole dataset"}))
        indexes = [ALL] + [str(i) for i in choices.get("indexes") or []]
        bar.enum("index", indexes, label="Image index", default=ALL,
                 on_change=self.on_index, view=_dropdown(indexes, {ALL: "All"}))
        model_view = types.AutocompleteView(multiple=True, allow_user_input=False,
                                            allow_duplicates=False)
        for model, label in choices.get("models") or []:
            model_view.add_choice(model, label=label)
        bar.list("models", types.String(), label="Models", on_change=self.on_models,
                 view=model_view)
        backends = [ALL] + list(choices.get("backends") or [])
        bar.enum("backend", backends, label="Backend", default=ALL,
                 on_change=self.on_backend, view=_dropdown(backends, {ALL: "All"}))
        bar.str("prompt", label="Prompt contains", on_change=self.on_prompt)
        metrics = choices.get("metrics") or []
        if metrics:
            metric_values = [ALL] + metrics
            bar.enum("metric", metric_values, label="Score", default=ALL,
                     on_change=self.on_metric, view=_dropdown(metric_values, {ALL: "None"}))
            bar.float("min_score", label="Min score", on_change=self.on_min_score)

        columns, rows = state.get("columns") or [], state.get("rows") or []
        total, pages = state.get("total", 0), state.get("pages", 1)
        page = ctx.panel.state.grid_page or 0
        nav = panel.h_stack("grid_nav", gap=1, align_y="center")
        nav.btn("prev", label="Previous", icon="chevron_left", on_click=self.on_prev,
                disabled=page <= 0)
        nav.md(f"**{total} prompt{'s' if total != 1 else ''} x {len(columns)} "
               f"model{'s' if len(columns) != 1 else ''}**, page {page + 1} of {pages}",
               name="grid_count")
        nav.btn("next", label="Next", icon="chevron_right", on_click=self.on_next,
                disabled=page + 1 >= pages)
        if not rows:
            panel.md("No generated outputs match: generate with several models, or "
                     "loosen the filters.", name="grid_empty")
            return
        table = panel.v_stack("cells", gap=1)
        head = table.h_stack("head", gap=1)
        head.md("**Prompt**", name="prompt", width=CELL)
        for c, label in enumerate(columns):
            head.md(f"**{label}**", name=f"c{c}", width=CELL)
        for r, row in enumerate(rows):
            # an image's URL is in the panel data at the view's own path,
            # cells.r<r>.c<c>
            line = table.h_stack(f"r{r}", gap=1, align_y="center")
            line.md(f"{row['prompt'] or '(source image)'}  \n*image {row['index']}*",
                    name="prompt", width=CELL)
            for c, cell in enumerate(row["cells"]):
                if cell is None:
                    line.md("(none)", name=f"c{c}", width=CELL)
                elif cell["media_type"] == "image":
                    line.view(f"c{c}", types.ImageView(
                        width=CELL, height=CELL, alt=f"{columns[c]}: {row['prompt']}",
                        operator=self.on_open, params={"sample_id": cell["id"]}))
                else:
                    line.btn(f"c{c}", label=f"Open {cell['media_type']}",
                             on_click=self.on_open, params={"sample_id": cell["id"]})

    # leaderboard ----------------------------------------------------------------

    def _load_leaderboard(self, ctx):
        rows = leaderboard.summarize(ctx.view)
        every = votes.votes(ctx.dataset)
        rated = rating.ratings(every)
        models, matrix = rating.win_rates(every)
        labels = {r["model"]: r["model_label"] for r in rows}
        labels.update({o["model"]: o["model_label"] or o["model"] for o in
                       outputs(ctx.dataset) if o["model"] in set(models) - set(labels)})
        ctx.panel.state.board = {"votes": len(every), "rated": len(rated)}
        ctx.panel.data.set("board_summary", (
            f"**{len(every)} arena vote{'s' if len(every) != 1 else ''}**, {len(rated)} "
            f"model{'s' if len(rated) != 1 else ''} rated (Bradley-Terry, 95% bootstrap "
            "intervals)"))
        ctx.panel.data.set("board_table", charts.board_table(rows, rated))
        ctx.panel.data.set("ratings_plot", charts.ratings_plot(rated, labels))
        ctx.panel.data.set("win_plot", charts.win_plot(models, matrix, labels))
        metric = (score_fields(ctx.view) or [None])[0]
        ctx.panel.state.board_metric = metric
        if metric:
            every_output = outputs(ctx.view, metric=metric)
            ctx.panel.data.set("score_plot", charts.score_plot(every_output, metric))
            ctx.panel.data.set("cost_plot", charts.cost_plot(rows, metric))

    def _render_leaderboard(self, ctx, panel):
        board = ctx.panel.state.board or {}
        panel.str("board_summary", view=types.MarkdownView())
        table = types.TableView()
        for key, label in charts.BOARD_COLUMNS:
            table.add_column(key, label=label)
        panel.list("board_table", types.Object(), view=table)
        if board.get("rated"):
            panel.plot("ratings_plot", layout=charts.ratings_layout(), height="320px")
            panel.plot("win_plot", layout=charts.win_layout(), height="360px")
        metric = ctx.panel.state.board_metric
        if metric:
            panel.plot("score_plot", layout=charts.score_layout(metric), height="320px")
            panel.plot("cost_plot", layout=charts.cost_layout(metric), height="320px")

    # arena ----------------------------------------------------------------------

    def _load_arena(self, ctx, rng=None):
        every = votes.votes(ctx.dataset)
        # pictures only: the arena shows them side by side
        pictures = [o for o in outputs(ctx.view) if o["media_type"] == "image"]
        pair = pairs.next_pair(pictures, every, rng or random.Random())
        count = len(every)
        if pair is None:
            ctx.panel.state.arena = None
            ctx.panel.data.set("arena_info", "The arena needs a prompt with pictures "
                               "of at least two models.")
            return
        # the texts are panel data, not rendered from state: a render from an
        # event sent before this one's state arrived must not show old ones
        ctx.panel.data.set("arena_info", (
            f"**Which is better?** {count} vote{'s' if count != 1 else ''} so far  \n"
            f"Prompt: *{pair['prompt'] or '(source image)'}*"))
        # only sample ids in state: the models stay hidden until the vote
        ctx.panel.state.arena = {"left": pair["left"]["id"], "right": pair["right"]["id"],
                                 "prompt": pair["prompt"]}
        # data URLs, not /media?filepath=...: the path names the model
        ctx.panel.data.set("arena_media", {
            "left": thumbs.data_url(pair["left"]["filepath"]),
            "right": thumbs.data_url(pair["right"]["filepath"])})

    def _vote(self, ctx, choice):
        shown = ctx.panel.state.arena
        if not shown:
            return
        found = {o["id"]: o for o in outputs(
            ctx.dataset.select([shown["left"], shown["right"]]))}
        left, right = found.get(shown["left"]), found.get(shown["right"])
        if left is None or right is None:  # deleted meanwhile: show another pair
            self._load_arena(ctx)
            return
        vote = votes.cast(ctx.dataset, {"left": left, "right": right,
                                        "compare_key": left["compare_key"],
                                        "prompt": left["prompt"]},
                          choice, voter=ctx.user_id)
        ctx.panel.data.set("arena_last", (
            f"Last vote ({CHOICE_LABELS[choice]}): left was "
            f"**{left['model_label'] or left['model']}**, right was "
            f"**{right['model_label'] or right['model']}**"))
        ctx.panel.state.last_vote = vote["id"]
        self._load_arena(ctx)

    def on_left(self, ctx):
        self._vote(ctx, "left")

    def on_right(self, ctx):
        self._vote(ctx, "right")

    def on_tie(self, ctx):
        self._vote(ctx, "tie")

    def on_both_bad(self, ctx):
        self._vote(ctx, "both_bad")

    def on_skip(self, ctx):
        self._load_arena(ctx)

    def on_key(self, ctx):
        """A key typed into the vote-keys box. The box keeps what was typed
        (clearing it from here would re-create the input and lose focus);
        the App may send the same value twice, so a vote is cast only when
        the value grew since the last one this panel saw."""
        typed = str(ctx.params.get("value") or "")
        with _KEYS_LOCK:
            seen = _KEYS_SEEN.get(ctx.panel_id, "")
            _KEYS_SEEN[ctx.panel_id] = typed
        if not typed or typed == seen or seen.startswith(typed):
            return  # a repeat, or a deletion
        choice = KEYS.get(typed[-1])
        if choice:
            self._vote(ctx, choice)

    def _render_arena(self, ctx, panel):
        shown = ctx.panel.state.arena
        if ctx.panel.state.last_vote:
            panel.str("arena_last", view=types.MarkdownView())
        panel.str("arena_info", view=types.MarkdownView())
        if not shown:
            return
        media = panel.h_stack("arena_media", gap=2)
        media.view("left", types.ImageView(width="360px", height="360px", alt="left output"))
        media.view("right", types.ImageView(width="360px", height="360px", alt="right output"))
        buttons = panel.h_stack("arena_buttons", gap=1)
        buttons.btn("left", label="Left is better (1)", icon="arrow_back",
                    variant="contained", on_click=self.on_left)
        buttons.btn("right", label="Right is better (2)", icon="arrow_forward",
                    variant="contained", on_click=self.on_right)
        buttons.btn("tie", label="Tie (3)", variant="outlined", on_click=self.on_tie)
        buttons.btn("both_bad", label="Both bad (4)", variant="outlined",
                    on_click=self.on_both_bad)
        buttons.btn("skip", label="Skip", on_click=self.on_skip)
        panel.str("vote_keys", label="Vote keys: click here, then press 1 (left), "
                  "2 (right), 3 (tie) or 4 (both bad)", on_change=self.on_key)
