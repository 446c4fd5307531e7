"""Cost in the App: the form's estimate and budget, a run the budget stops,
and the leaderboard's table as the operator's output."""

import fiftyone as fo

from .ui import SEARCH, expect

OPERATOR = "Generate images from text"
LEADERBOARD = "Leaderboard: compare models"


def test_estimate_budget_and_leaderboard_in_the_app(app, dataset_name, providers):
    dataset = fo.Dataset(dataset_name, persistent=True)
    app.open_dataset(dataset_name)
    app.open_operator(OPERATOR)
    app.choose_models(["Stable Image Core"])
    app.fill("Prompt", "a lighthouse at dusk")
    app.fill("Images", 2)
    # the price is known per image: 2 x 3 credits at $0.01
    app.expect_summary("estimated cost $0.06")
    app.fill("Budget (USD)", -1)
    app.expect_error("Budget (USD)", "Must be at least 0; got -1")
    expect(app.form.get_by_text("Budget (USD): must be at least 0; got -1")).to_have_count(1)
    expect(app.execute_button).to_be_disabled()
    app.fill("Budget (USD)", 0.03)
    app.expect_summary("it stops starting new items once it has cost $0.03")
    app.shot("cost-form")
    app.execute()

    message = app.expect_notice("1 failed")
    assert "not run: budget of $0.03 reached" in message and "it cost $0.03" in message
    app.close_progress()
    dataset.reload()
    assert len(dataset) == 1
    assert dataset.first().generation.cost.usd == 0.03

    app.page.keyboard.press("`")
    app.page.get_by_placeholder(SEARCH).fill(LEADERBOARD)
    app.page.get_by_text(LEADERBOARD, exact=True).first.click()
    app.form.get_by_text("Sums up the current view").first.wait_for()
    app.execute()
    # the table: one row, its outputs and cost
    table = app.page.locator("table").filter(has_text="Stable Image Core").first
    expect(table).to_be_visible(timeout=60_000)
    expect(table).to_contain_text("Per output")
    expect(table).to_contain_text("$0.03")
    app.shot("leaderboard")
