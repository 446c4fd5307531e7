"""Renders the README's model table and price table from the catalog.

    python scripts/model_table.py          # print them
    python scripts/model_table.py --write  # update README.md between the markers

A test fails when the README's table differs from the catalog. Models with an
announced shutdown date are retired by the calendar, so the table records the
date it was rendered on (``as of``) and the test renders it as of that date;
``--write`` renders it as of today.
"""

import datetime
import importlib.util
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN, END = "<!-- models:begin -->", "<!-- models:end -->"
PRICES_BEGIN, PRICES_END = "<!-- prices:begin -->", "<!-- prices:end -->"


def load_plugin():
    """Imports the plugin package from this checkout (as FiftyOne would)."""
    if "multigen_plugin" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "multigen_plugin", os.path.join(REPO, "__init__.py"),
            submodule_search_locations=[REPO])
        module = importlib.util.module_from_spec(spec)
        sys.modules["multigen_plugin"] = module
        spec.loader.exec_module(module)
    return sys.modules["multigen_plugin"]


def render(as_of=None):
    """The table as of ``as_of`` (a date or YYYY-MM-DD; default today)."""
    catalog = importlib.import_module("multigen_plugin.core.catalog") if load_plugin() else None
    as_of = as_of or catalog.today()
    with catalog.as_of(as_of):
        return _render(catalog, str(as_of))


def _render(catalog, as_of):
    lines = [f"<!-- as of {as_of}: models with a shutdown date retire by themselves -->", ""]
    for task, title in catalog.TASKS.items():
        models = catalog.models(task)
        if not models:
            continue
        lines += [f"#### {title} (`{task}`)", "",
                  "| id | model | runs on | options |", "|---|---|---|---|"]
        for m in models:
            if m.retired:
                runs = f"**retired {m.retirement_date}**: use `{m.successor}`"
            else:
                runs = "<br>".join(f"{b.label}: `{b.ref}`" for b in m.backends)
                if m.shutdown_on:
                    runs += f"<br>**shuts down {m.shutdown_on}**: use `{m.successor}`"
            options = ", ".join(
                f"`{p.name}`" + (f" ({p.describe_range()})" if p.describe_range() else "")
                + (f" [{'/'.join(p.backends)}]" if p.backends else "")
                for p in m.all_params if p.name not in ("seed",)
            )
            lines.append(f"| `{m.id}` | {m.label} | {runs} | {options or '-'} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_prices():
    """Every hosted backend of every model not retired, with its declared
    price, the date it was checked and its source ("unknown": none confirmed)."""
    catalog = importlib.import_module("multigen_plugin.core.catalog") if load_plugin() else None
    pricing = importlib.import_module("multigen_plugin.core.pricing")
    lines = ["| model | runs on | price | checked | source |", "|---|---|---|---|---|"]
    for model in catalog.models():
        if model.status == catalog.RETIRED:
            continue
        for backend in model.backends:
            if not pricing.is_hosted(backend):
                continue
            price = backend.price
            if price is None:
                lines.append(f"| `{model.id}` | {backend.label} | price unknown | - | - |")
            else:
                lines.append(f"| `{model.id}` | {backend.label} | {price.describe()} | "
                             f"{price.checked} | {price.source} |")
    return "\n".join(lines) + "\n"


def readme_table(text, begin=BEGIN, end=END):
    return text.split(begin, 1)[1].split(end, 1)[0].strip("\n") + "\n"


def _replace(text, begin, end, table):
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    return f"{head}{begin}\n{table}{end}{tail}"


def readme_as_of(text):
    """The date the README's table was rendered on."""
    match = re.search(r"<!-- as of (\d{4}-\d{2}-\d{2})", readme_table(text))
    return datetime.date.fromisoformat(match.group(1)) if match else None


if __name__ == "__main__":
    table, prices = render(), render_prices()
    if "--write" in sys.argv:
        path = os.path.join(REPO, "README.md")
        with open(path) as f:
            text = f.read()
        text = _replace(text, BEGIN, END, table)
        text = _replace(text, PRICES_BEGIN, PRICES_END, prices)
        with open(path, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(table + "\n" + prices)
