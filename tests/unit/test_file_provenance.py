"""Provenance inside the files, read back by independent readers: Pillow
(PNG text chunks, EXIF UserComment, XMP, GIF comment), pygltflib (GLB
asset.extras), ffprobe (MP4 tags) and a PLY header read as text."""

import io
import json
import shutil
import subprocess
from datetime import datetime, timezone

import pytest
from PIL import Image

from tests.unit.conftest import module

fp = module("core.file_provenance")
a1111 = module("core.file_provenance.a1111")

RECORD = {
    "model": "sdxl", "backend": "replicate", "provider_ref": "stability-ai/sdxl:7762",
    "prompt": "a red car in the rain", "negative_prompt": "blurry, low quality",
    "template": "a {red|blue} car in the {rain|snow}",
    "vars": {"slot1": "red", "slot2": "rain"}, "seed": 51,
    "params": {"num_inference_steps": 30, "guidance_scale": 7.5, "width": 1024,
               "height": 768},
    "created_at": datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc),
    "item_key": "abc", "note": "ünïcode ✓",
}


def test_the_a1111_parameters_text():
    assert a1111.parameters(RECORD) == (
        "a red car in the rain\n"
        "Negative prompt: blurry, low quality\n"
        "Steps: 30, CFG scale: 7.5, Seed: 51, Size: 1024x768, Model: sdxl, "
        "Backend: replicate, Template: a {red|blue} car in the {rain|snow}")


def test_the_a1111_text_leaves_out_what_is_unknown_and_quotes_separators():
    text = a1111.parameters({"prompt": "a cat", "seed": 3, "model": "gpt-image-2",
                             "params": {"size": "1536x1024", "quality": "high"}})
    assert text == "a cat\nSeed: 3, Size: 1536x1024, Model: gpt-image-2"
    assert a1111.parameters({"model": "svd", "seed": 1}, size=(64, 32)) == (
        "Seed: 1, Size: 64x32, Model: svd")
    assert a1111.quote("a, b") == '"a, b"' and a1111.quote("k: v") == '"k: v"'
    assert a1111.parameters({"params": {"cfg_scale": 4}}) == "CFG scale: 4"
    assert a1111.parameters({"prompt": "x", "template": "{a, b|c}"}) == (
        'x\nTemplate: "{a, b|c}"')


def image_bytes(fmt, mode="RGB", **options):
    buffer = io.BytesIO()
    Image.new(mode, (64, 48), (200, 10, 10, 128)[:len(mode)]).save(buffer, fmt, **options)
    return buffer.getvalue()


def recorded(text):
    return json.loads(text)


def test_png_carries_parameters_and_the_record_as_text_chunks():
    original = image_bytes("PNG")
    with Image.open(io.BytesIO(fp.embed(original, "png", RECORD))) as image:
        assert image.info["parameters"] == a1111.parameters(RECORD)
        record = recorded(image.info["generation"])
        pixels = image.tobytes()
    assert record["vars"] == {"slot1": "red", "slot2": "rain"}
    assert record["created_at"] == "2026-11-30T12:00:00+00:00" and record["note"] == "ünïcode ✓"
    with Image.open(io.BytesIO(original)) as image:
        assert image.tobytes() == pixels  # not re-encoded
    # written again (a re-run), the chunks are replaced, not doubled
    twice = fp.embed(fp.embed(original, "png", RECORD), "png", {**RECORD, "seed": 52})
    assert twice.count(b"tEXtparameters") == 1
    with Image.open(io.BytesIO(twice)) as image:
        assert "Seed: 52" in image.info["parameters"]


@pytest.mark.parametrize("fmt,ext,mode,options", [
    ("JPEG", "jpg", "RGB", {}), ("WEBP", "webp", "RGB", {}), ("WEBP", "webp", "RGBA", {}),
    ("WEBP", "webp", "RGB", {"lossless": True}), ("WEBP", "webp", "RGBA", {"lossless": True}),
])
def test_jpeg_and_webp_carry_exif_user_comment_and_xmp(fmt, ext, mode, options):
    original = image_bytes(fmt, mode, **options)
    with Image.open(io.BytesIO(fp.embed(original, ext, RECORD))) as image:
        image.load()
        comment = image.getexif().get_ifd(0x8769)[0x9286]
        xmp = image.info["xmp"]
        assert (image.size, image.mode) == ((64, 48), mode)
    assert comment.startswith(b"UNICODE\x00") or comment.startswith(b"ASCII\x00\x00\x00")
    encoding = "utf-16-be" if comment.startswith(b"UNICODE") else "ascii"
    assert comment[8:].decode(encoding) == a1111.parameters(RECORD)
    xmp = xmp if isinstance(xmp, str) else xmp.decode("utf-8")
    assert "trainedAlgorithmicMedia" in xmp
    from xml.etree import ElementTree
    ns = "{https://github.com/multigen/generate/ns/1.0/}"
    tree = ElementTree.fromstring(xmp[xmp.index("<x:xmpmeta"):xmp.index("</x:xmpmeta>") + 12])
    assert recorded(tree.find(f".//{ns}generation").text)["template"] == RECORD["template"]
    assert tree.find(f".//{ns}parameters").text == a1111.parameters(RECORD)


def test_a_providers_own_exif_is_kept():
    exif = Image.Exif()
    exif[0x0131] = "ProviderSoftware 1.0"  # Software
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32)).save(buffer, "JPEG", exif=exif.tobytes())
    with Image.open(io.BytesIO(fp.embed(buffer.getvalue(), "jpg", RECORD))) as image:
        assert image.getexif()[0x0131] == "ProviderSoftware 1.0"
        assert 0x9286 in image.getexif().get_ifd(0x8769)


def test_gif_previews_carry_the_record_as_a_comment():
    frames = [Image.new("RGB", (16, 16), c) for c in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], loop=0)
    with Image.open(io.BytesIO(fp.embed(buffer.getvalue(), "gif", RECORD))) as image:
        assert recorded(image.info["comment"].decode())["seed"] == 51
        assert image.n_frames == 2


def test_glb_carries_the_record_in_asset_extras():
    import pygltflib
    import trimesh

    glb = trimesh.creation.box().export(file_type="glb")
    gltf = pygltflib.GLTF2.load_from_bytes(fp.embed(glb, "glb", RECORD))
    assert gltf.asset.extras["generation"]["vars"] == RECORD["vars"]
    assert gltf.asset.extras["parameters"] == a1111.parameters(RECORD)
    assert gltf.asset.version == "2.0"
    assert len(gltf.binary_blob()) == len(pygltflib.GLTF2.load_from_bytes(glb).binary_blob())
    mesh = trimesh.load(io.BytesIO(fp.embed(glb, "glb", RECORD)), file_type="glb")
    assert len(mesh.geometry) == 1


def test_ply_carries_the_record_as_a_header_comment():
    import trimesh

    data = fp.embed(trimesh.creation.box().export(file_type="ply"), "ply", RECORD)
    header = data[:data.index(b"end_header")].decode("ascii").splitlines()
    comment = next(line for line in header if line.startswith("comment generation "))
    assert recorded(comment[len("comment generation "):])["note"] == "ünïcode ✓"
    assert trimesh.load(io.BytesIO(data), file_type="ply").vertices.shape == (8, 3)


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe (Debian: ffmpeg)")
def test_mp4_carries_the_record_in_its_container_metadata(tmp_path):
    import numpy as np

    encode_mp4 = module("video.mp4").encode_mp4
    data = fp.embed(encode_mp4(np.zeros((6, 32, 32, 3), np.uint8), 7), "mp4", RECORD)
    path = tmp_path / "video.mp4"
    path.write_bytes(data)
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format_tags:stream=nb_frames",
         "-of", "json", str(path)], capture_output=True, check=True, text=True).stdout)
    tags = probe["format"]["tags"]
    assert recorded(tags["comment"])["template"] == RECORD["template"]
    assert tags["description"] == a1111.parameters(RECORD)
    assert probe["streams"][0]["nb_frames"] == "6"  # copied, not re-encoded


def test_other_formats_are_left_as_they_are():
    assert fp.embed(b"{}", "fo3d", RECORD) == b"{}"
    with pytest.raises(ValueError):
        fp.embed(b"not a png", "png", RECORD)
