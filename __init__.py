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
    from .img2video.operator import ImageToVideo
    from .text_to_3d.operators import ImageTo3D, TextTo3D
    from .text_to_image.operator import TextToImage

    def register(plugin):
        plugin.register(TextToImage)
        plugin.register(ImageToVideo)
        plugin.register(TextTo3D)
        plugin.register(ImageTo3D)
