"""The provider emulators answer the real clients as the real APIs do.

Uses the official ``replicate`` and ``openai`` clients and plain ``requests``
(Stability has no maintained client) against the servers in tests/servers.
"""

from __future__ import annotations

import base64
import concurrent.futures

import httpx
import openai
import pytest
import replicate
import requests
from replicate.exceptions import ModelError, ReplicateError
from replicate.helpers import FileOutput

from tests.replicate_schemas import INPUTS
from tests.servers import OpenAIServer, ReplicateServer, StabilityServer, glb_output, video_output
from tests.servers.media import glb_info, image_bytes, image_info, video_info


@pytest.fixture
def rep():
    with ReplicateServer(expected_key="r8_key") as server:
        yield server
    assert not server.errors, server.errors


@pytest.fixture
def rclient(rep, monkeypatch):
    monkeypatch.setenv("REPLICATE_BASE_URL", rep.url)
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_key")
    client = replicate.Client()  # reads both variables, as replicate.run's default client does
    client.poll_interval = 0.02
    return client


@pytest.fixture
def oai():
    with OpenAIServer(expected_key="sk-key") as server:
        yield server
    assert not server.errors, server.errors


@pytest.fixture
def oclient(oai, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", oai.url + "/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-key")
    return openai.OpenAI()


@pytest.fixture
def stab():
    with StabilityServer(expected_key="sk-stab") as server:
        yield server
    assert not server.errors, server.errors


# -- base ---------------------------------------------------------------------------
def test_unknown_fault_kind_is_refused(rep):
    with pytest.raises(ValueError, match="unknown fault kind"):
        rep.fail_next("no_such_fault")


def test_requests_are_served_concurrently(oclient, oai):
    oai.latency = 0.3
    oai.rendezvous(4)  # none is answered until all four are in flight
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: oclient.images.generate(model="gpt-image-1-mini", prompt="p"), range(4)))
    assert oai.errors == []
    assert oai.generation_count == 4


# -- Replicate ------------------------------------------------------------------------
def test_replicate_official_model_sync_run(rclient, rep):
    out = rclient.run("black-forest-labs/flux-schnell",
                      input={"prompt": "cat", "aspect_ratio": "16:9", "num_outputs": 2, "output_format": "webp"})
    assert len(out) == 2 and all(isinstance(u, str) and u.startswith(rep.url) for u in out)
    assert image_info(requests.get(out[0]).content) == ("webp", (64, 36))
    create = rep.requests[0]
    assert (create.method, create.path) == ("POST", "/v1/models/black-forest-labs/flux-schnell/predictions")
    assert create.headers["prefer"] == "wait"
    assert create.headers["authorization"] == "Bearer r8_key"
    assert create.json == {"input": {"prompt": "cat", "aspect_ratio": "16:9", "num_outputs": 2,
                                     "output_format": "webp"}}
    assert rep.generation_count == 1


def test_replicate_version_run_reads_the_version_after_creating(rclient, rep):
    vid = rep.add_version("stability-ai/sdxl")
    out = rclient.run(f"stability-ai/sdxl:{vid}", input={"prompt": "x", "width": 1024, "height": 512})
    assert image_info(requests.get(out[0]).content) == ("png", (64, 32))
    assert [(r.method, r.path) for r in rep.requests[:2]] == [
        ("POST", "/v1/predictions"), ("GET", f"/v1/models/stability-ai/sdxl/versions/{vid}")]
    assert rep.requests[0].json["version"] == vid
    with pytest.raises(ReplicateError) as err:
        rclient.run("stability-ai/sdxl:deadbeef", input={})
    assert err.value.status == 422 and err.value.title == "Invalid version or not permitted"


def test_replicate_polling_single_video_output(rclient, rep):
    rep.latency, rep.max_wait = 0.15, 0
    rep.model_outputs["wan-video/wan-2.2"] = video_output(num_frames=10, fps=5)
    rep.single_output = {"wan-video/wan-2.2"}
    out = rclient.run("wan-video/wan-2.2", input={"prompt": "waves"})
    assert isinstance(out, str)
    assert rep.count("/v1/predictions/", "GET") >= 2, [(r.method, r.path) for r in rep.requests]
    info = video_info(requests.get(out).content)
    assert (info["frames"], info["fps"], info["codec"]) == (10, 5.0, "h264")


def test_replicate_data_urls_give_file_outputs(rclient, rep):
    rep.data_urls = True
    rep.model_outputs["stability-ai/stable-fast-3d"] = glb_output()
    out = rclient.run("stability-ai/stable-fast-3d", input={"image": "data:image/png;base64,AAAA"})
    assert isinstance(out[0], FileOutput) and out[0].url.startswith("data:model/gltf-binary;base64,")
    assert glb_info(out[0].read())["vertex_colors"]


def test_replicate_failed_prediction_raises_model_error(rclient, rep):
    rep.fail_next("model_failed", error="NSFW content detected", logs="checking safety...")
    with pytest.raises(ModelError, match="NSFW content detected") as err:
        rclient.run("a/b", input={})
    assert err.value.prediction.status == "failed" and err.value.prediction.logs == "checking safety..."


def test_replicate_schema_validation_names_the_field(rclient, rep):
    rep.schemas["a/b"] = {"type": "object", "required": ["prompt"], "properties": {
        "prompt": {"type": "string"}, "aspect_ratio": {"type": "string", "enum": ["1:1", "16:9"]}}}
    with pytest.raises(ReplicateError) as err:
        rclient.run("a/b", input={"prompt": "x", "guidance": 3})
    assert err.value.status == 422 and "guidance" in err.value.detail
    with pytest.raises(ReplicateError, match="aspect_ratio must be one of"):
        rclient.run("a/b", input={"prompt": "x", "aspect_ratio": "4:3"})
    with pytest.raises(ReplicateError, match="prompt is required"):
        rclient.run("a/b", input={"aspect_ratio": "1:1"})


def test_replicate_refuses_what_the_pinned_schema_refuses(rep):
    """A published range, as Replicate answers it: 422 with the field named."""
    rep.schemas = dict(INPUTS)
    version = rep.add_version("playgroundai/playground-v2.5-1024px-aesthetic")
    raw = httpx.post(f"{rep.url}/v1/predictions", headers={"Authorization": "Bearer r8_key"},
                     json={"version": version, "input": {
                         "prompt": "x", "width": 128, "guidance_scale": 0.05}})
    body = raw.json()
    assert (raw.status_code, body["title"]) == (422, "Input validation failed")
    assert body["invalid_fields"] == [
        {"type": "number_gte", "field": "input.width",
         "description": "Must be greater than or equal to 256"},
        {"type": "number_gte", "field": "input.guidance_scale",
         "description": "Must be greater than or equal to 0.1"}]
    assert body["detail"] == ("- input.width: Must be greater than or equal to 256\n"
                              "- input.guidance_scale: Must be greater than or equal to 0.1\n")
    ok = httpx.post(f"{rep.url}/v1/predictions", headers={"Authorization": "Bearer r8_key"},
                    json={"version": version, "input": {"prompt": "x", "width": 256}})
    assert ok.status_code == 201
    # the version the client reads back carries the same schema
    schema = httpx.get(f"{rep.url}/v1/models/playgroundai/playground-v2.5-1024px-aesthetic/"
                       f"versions/{version}", headers={"Authorization": "Bearer r8_key"}).json()
    assert schema["openapi_schema"]["components"]["schemas"]["Input"]["properties"][
        "width"]["minimum"] == 256


def test_replicate_auth_and_rate_limit(rclient, rep):
    with pytest.raises(ReplicateError) as err:
        replicate.Client(api_token="wrong", base_url=rep.url).run("a/b", input={})
    assert (err.value.status, err.value.title) == (401, "Unauthenticated")

    rep.fail_next("rate_limit", retry_after=3)
    with pytest.raises(ReplicateError) as err:  # the client never retries a create POST
        rclient.run("a/b", input={})
    assert err.value.status == 429 and "throttled" in err.value.detail
    assert rep.generation_count == 1
    rep.fail_next("rate_limit", retry_after=3)
    raw = httpx.post(f"{rep.url}/v1/models/a/b/predictions", json={"input": {}},
                     headers={"Authorization": "Bearer r8_key"})
    assert raw.status_code == 429 and raw.headers["retry-after"] == "3"


def test_replicate_cancel(rclient, rep):
    rep.latency = 5
    pred = rclient.models.predictions.create(model="a/b", input={})
    assert pred.status == "starting" and pred.urls["get"].endswith(pred.id)
    pred.cancel()
    assert pred.status == "canceled"
    pred.reload()
    assert pred.status == "canceled" and pred.output is None


# -- OpenAI ---------------------------------------------------------------------------
def test_openai_generation(oclient, oai):
    raw = oclient.images.with_raw_response.generate(
        model="gpt-image-2", prompt="cat", size="1536x1024", output_format="jpeg", n=2, quality="low")
    assert raw.headers["x-request-id"].startswith("req_")
    res = raw.parse()
    assert (res.size, res.quality, res.output_format, res.background) == ("1536x1024", "low", "jpeg", "opaque")
    assert len(res.data) == 2 and res.usage.total_tokens > 0
    # only the fields of the reference's ImagesResponse
    assert set(raw.http_response.json()) <= {
        "created", "data", "background", "output_format", "size", "quality", "usage"}
    assert image_info(base64.b64decode(res.data[0].b64_json)) == ("jpeg", (96, 64))
    assert oai.requests[0].json["model"] == "gpt-image-2"
    res = oclient.images.generate(model="gpt-image-2", prompt="wide", size="3840x2160", background="transparent")
    assert image_info(base64.b64decode(res.data[0].b64_json)) == ("png", (240, 135))


def test_openai_client_retries_429_with_retry_after(oclient, oai):
    oai.fail_next("rate_limit", retry_after=0.05)
    res = oclient.images.generate(model="gpt-image-1.5", prompt="x")
    assert res.data[0].b64_json and oai.generation_count == 2


@pytest.mark.parametrize("kwargs, exc, code, param", [
    ({"model": "dall-e-3"}, openai.NotFoundError, "model_not_found", None),
    ({"model": "gpt-image-1"}, openai.NotFoundError, "model_not_found", None),
    ({"model": "gpt-image-1.5", "size": "1792x1024"}, openai.BadRequestError, "invalid_value", "size"),
    ({"model": "gpt-image-2", "size": "1000x1000"}, openai.BadRequestError, "invalid_value", "size"),
    ({"model": "gpt-image-2", "size": "3840x1024"}, openai.BadRequestError, "invalid_value", "size"),
    ({"model": "gpt-image-2", "n": 11}, openai.BadRequestError, "integer_above_max_value", "n"),
    ({"model": "gpt-image-2", "response_format": "b64_json"}, openai.BadRequestError, "unknown_parameter",
     "response_format"),
    # what OpenAI's reference does not list is refused
    ({"model": "gpt-image-2.5-sunburst"}, openai.NotFoundError, "model_not_found", None),
    ({"model": "gpt-image-2.6-flare"}, openai.NotFoundError, "model_not_found", None),
    ({"model": "chatgpt-image-latest"}, openai.NotFoundError, "model_not_found", None),
    ({"model": "gpt-image-2", "quality": "xhigh"}, openai.BadRequestError, "invalid_value", "quality"),
    ({"model": "gpt-image-2", "quality": "hd"}, openai.BadRequestError, "invalid_value", "quality"),
    ({"model": "gpt-image-2", "extra_body": {"safety_identifier": "u1"}}, openai.BadRequestError,
     "unknown_parameter", "safety_identifier"),
    ({"model": "gpt-image-2", "partial_images": 4}, openai.BadRequestError,
     "integer_above_max_value", "partial_images"),
])
def test_openai_validation_errors(oclient, kwargs, exc, code, param):
    with pytest.raises(exc) as err:
        oclient.images.generate(prompt="x", **kwargs)
    assert (err.value.code, err.value.param, err.value.type) == (code, param, "invalid_request_error")


def test_openai_moderation_and_auth(oclient, oai):
    oai.fail_next("moderation_blocked")
    with pytest.raises(openai.BadRequestError) as err:
        oclient.images.generate(model="gpt-image-2", prompt="x")
    assert (err.value.code, err.value.type) == ("moderation_blocked", "image_generation_user_error")
    with pytest.raises(openai.AuthenticationError) as err:
        openai.OpenAI(api_key="sk-wrong", base_url=oai.url + "/v1").images.generate(model="gpt-image-2", prompt="x")
    assert err.value.code == "invalid_api_key"


# -- Stability ----------------------------------------------------------------------------
def _post(server, path, accept="image/*", files=None, key="sk-stab", **data):
    return requests.post(f"{server.url}{path}", data=data, files=files or {"none": ""},
                         headers={"authorization": f"Bearer {key}", "accept": accept})


def test_stability_image_bytes_and_json(stab):
    r = _post(stab, "/v2beta/stable-image/generate/core", prompt="cat", aspect_ratio="16:9",
              output_format="webp", style_preset="anime", seed="7")
    assert r.status_code == 200 and r.headers["content-type"] == "image/webp"
    assert (r.headers["finish-reason"], r.headers["seed"]) == ("SUCCESS", "7")
    assert image_info(r.content) == ("webp", (84, 48))
    r = _post(stab, "/v2beta/stable-image/generate/sd3", accept="application/json", prompt="cat",
              model="sd3.5-large", aspect_ratio="2:3", cfg_scale="5")
    body = r.json()
    assert body["finish_reason"] == "SUCCESS" and body["seed"] > 0
    assert image_info(base64.b64decode(body["image"])) == ("png", (52, 76))
    assert stab.requests[0].form["prompt"] == "cat" and "none" in stab.requests[0].files


def test_stability_validation(stab):
    r = requests.post(f"{stab.url}/v2beta/stable-image/generate/ultra", data={"prompt": "cat"},
                      headers={"authorization": "Bearer sk-stab", "accept": "image/*"})
    assert r.status_code == 400 and r.json()["name"] == "bad_request"  # not multipart
    for path, fields, name in [
        ("/v2beta/stable-image/generate/sd3", {"prompt": "c", "output_format": "webp"}, "output_format"),
        ("/v2beta/stable-image/generate/sd3", {"prompt": "c", "model": "sd3-medium"}, "model"),
        ("/v2beta/stable-image/generate/ultra", {"prompt": "c", "aspect_ratio": "4:3"}, "aspect_ratio"),
        ("/v2beta/stable-image/generate/ultra", {"prompt": "c", "seed": "4294967295"}, "seed"),
        ("/v2beta/stable-image/generate/core", {"prompt": ""}, "prompt"),
    ]:
        body = _post(stab, path, **fields).json()
        assert body["name"] == "bad_request" and body["errors"][0].startswith(name), body
    assert set(_post(stab, "/v2beta/stable-image/generate/core", key="bad", prompt="c").json()) == {
        "id", "name", "errors"}


def test_stability_faults(stab):
    stab.fail_next("content_filtered")
    r = _post(stab, "/v2beta/stable-image/generate/ultra", prompt="cat")
    assert r.status_code == 200 and r.headers["finish-reason"] == "CONTENT_FILTERED"
    stab.fail_next("moderation")
    r = _post(stab, "/v2beta/stable-image/generate/ultra", prompt="cat")
    assert (r.status_code, r.json()["name"]) == (403, "content_moderation")
    stab.fail_next("rate_limit", retry_after=5)
    r = _post(stab, "/v2beta/stable-image/generate/ultra", prompt="cat")
    assert (r.status_code, r.json()["name"]) == (429, "rate_limit_exceeded") and "retry-after" not in r.headers
    assert stab.generation_count == 3


def test_stability_3d_and_balance(stab):
    png = ("in.png", image_bytes(128, 96, "png"), "image/png")
    r = _post(stab, "/v2beta/3d/stable-fast-3d", files={"image": png}, texture_resolution="512",
              foreground_ratio="0.85", remesh="quad", vertex_count="-1")
    assert r.headers["content-type"] == "model/gltf-binary" and glb_info(r.content)["faces"] > 0
    # SPAR3D takes 640 px a side (docs/schemas/stability)
    r = _post(stab, "/v2beta/3d/stable-point-aware-3d", files={"image": png})
    assert r.status_code == 400 and r.json()["errors"] == [
        "image: every side must be at least 640 pixels (got 128x96)"]
    png = ("in.png", image_bytes(640, 640, "png"), "image/png")
    r = _post(stab, "/v2beta/3d/stable-point-aware-3d", files={"image": png}, target_type="vertex",
              target_count="500", guidance_scale="3", seed="1", foreground_ratio="1.3")
    assert r.content[:4] == b"glTF"
    r = _post(stab, "/v2beta/3d/stable-fast-3d", files={"image": png}, texture_resolution="768")
    assert r.json()["errors"] == ["texture_resolution: must be one of 512, 1024, 2048"]
    r = _post(stab, "/v2beta/3d/stable-point-aware-3d", files={"image": png}, foreground_ratio="0.5")
    assert r.status_code == 400 and r.json()["errors"][0].startswith("foreground_ratio")
    r = requests.get(f"{stab.url}/v1/user/balance", headers={"authorization": "Bearer sk-stab"})
    assert r.json() == {"credits": 100.0}
    assert requests.get(f"{stab.url}/v1/user/balance").status_code == 401
