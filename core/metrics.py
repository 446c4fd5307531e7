"""The metrics registry: the ``scores`` package declares metrics (data) and
the plugin registers them here (``__init__.py``), as it registers models in
:mod:`core.catalog`. Core looks metrics up by id (the ``score`` run option
of every generation operator) without importing the package that declares
them; the package also registers how a run scores what it wrote.
"""

_METRICS = {}
_SCORING = []  # the factory of a scoring session (scores.scoring.Session)


def register(*metrics, session=None):
    for metric in metrics:
        if metric.id in _METRICS and _METRICS[metric.id] is not metric:
            raise ValueError(f"metric {metric.id!r} declared twice")
        _METRICS[metric.id] = metric
    if session is not None:
        _SCORING[:] = [session]


def metrics():
    return list(_METRICS.values())


def get(metric_id):
    try:
        return _METRICS[metric_id]
    except KeyError:
        known = ", ".join(sorted(_METRICS)) or "none"
        raise ValueError(f"unknown metric {metric_id!r}; known: {known}") from None


def parse_ids(value):
    """Metric ids from a list, or from text separated by commas or spaces;
    raises ``ValueError`` naming an unknown or repeated one."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    ids = [str(v).strip() for v in value if str(v).strip()]
    for metric_id in ids:
        get(metric_id)
    if len(set(ids)) != len(ids):
        raise ValueError("a metric is chosen twice")
    return ids


def session(metric_ids, **options):
    """A scoring session for ``metric_ids`` (loads each model once, on first
    use), as the registered scoring package makes it."""
    if not _SCORING:
        raise RuntimeError("no scoring package registered")
    return _SCORING[0](metric_ids, **options)
