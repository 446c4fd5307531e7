"""The App's sidebar for generated samples: the ``generation`` fields in an
order a person reads, what they chose first (model, prompt, seed, where it
ran, how long it took) and the bookkeeping keys last.

FiftyOne orders the sidebar by ``dataset.app_config.sidebar_groups``; left
unset, a group lists its fields in the order they were first written. Only
the ``generation`` group is set here: every other group stays as FiftyOne
makes it (fields added later still appear, in their default group).
"""

GROUP = "generation"
# what a person looks at first, in this order; any other field follows, by name
FIRST = ("model_label", "prompt", "negative_prompt", "seed", "backend", "latency_s",
         "cost", "params", "template", "vars", "revised_prompt", "model", "task",
         "created_at")


def ordered_paths(names):
    """``generation.<name>`` paths: :data:`FIRST` in its order, then the rest
    alphabetically."""
    names = list(names)
    first = [n for n in FIRST if n in names]
    rest = sorted(n for n in names if n not in FIRST)
    return [f"{GROUP}.{n}" for n in first + rest]


def order_generation_fields(dataset):
    """Sets the ``generation`` sidebar group of ``dataset`` in reading order
    (once its fields are declared); does nothing when they already are."""
    import fiftyone as fo

    field = dataset.get_field(GROUP) if dataset.has_field(GROUP) else None
    if field is None or not hasattr(field, "get_field_schema"):
        return
    paths = ordered_paths(field.get_field_schema())
    config = dataset.app_config
    before = [(g.name, list(g.paths or [])) for g in config.sidebar_groups or []]
    groups = with_new_fields(config.sidebar_groups,
                             fo.DatasetAppConfig.default_sidebar_groups(dataset))
    group = next((g for g in groups if g.name == GROUP), None)
    if group is None:
        groups.append(fo.SidebarGroupDocument(name=GROUP, paths=paths))
    else:
        group.paths = paths
    if [(g.name, list(g.paths or [])) for g in groups] != before:
        config.sidebar_groups = groups
        dataset.save()


def with_new_fields(groups, defaults):
    """The sidebar groups set so far (None: FiftyOne's defaults), with every
    field they do not list yet added where FiftyOne's defaults put it (a
    ``scores`` field written after the first run, say)."""
    if not groups:
        return list(defaults)
    groups = list(groups)
    listed = {p for g in groups for p in (g.paths or [])}
    by_name = {g.name: g for g in groups}
    for default in defaults:
        new = [p for p in default.paths or [] if p not in listed]
        if default.name in by_name:
            by_name[default.name].paths = list(by_name[default.name].paths or []) + new
        elif new:
            default.paths = new
            groups.append(default)
    return groups
