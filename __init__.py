"""@multigen/generate: generate images, videos and 3D meshes into FiftyOne
datasets with local (diffusers) or hosted (Replicate, OpenAI, Stability AI)
models.

Importing this plugin stays light: models and backends are plain data here;
torch, diffusers and provider clients load only when a model runs.
"""

# FiftyOne imports this folder as a package. pytest imports this file on its
# own (no package) when the checkout's folder name is not a Python
# identifier; there is nothing to register then.
if __package__:
    from . import (compare, image_edit, img2video, scores, text_to_3d, text_to_image,
                   text_to_video)
    from .core import catalog, metrics
    from .core.leaderboard_operator import Leaderboard

    # each task is one package exporting its MODELS and OPERATORS
    TASKS = (text_to_image, text_to_video, img2video, text_to_3d, image_edit)
    for _task in TASKS:
        catalog.register(*_task.MODELS)
    metrics.register(*scores.METRICS, session=scores.Session)

    def register(plugin):
        for task in TASKS:
            for operator in task.OPERATORS:
                plugin.register(operator)
        plugin.register(Leaderboard)  # over every task's outputs
        for operator in scores.OPERATORS:
            plugin.register(operator)
        # comparing what the tasks made: the panel and the arena's results
        for operator in compare.OPERATORS + compare.PANELS:
            plugin.register(operator)
