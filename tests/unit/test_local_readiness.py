"""The form says whether a local model's weights are downloaded, read from
the hub cache without importing huggingface_hub."""

from tests.unit.conftest import module

local = module("core.backends.diffusers_local")
catalog = module("core.catalog")


def test_a_model_not_in_the_hub_cache_says_the_first_run_downloads_it(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    backend = catalog.get("sdxl").backend("diffusers")
    assert not local.in_hub_cache(backend.repo)
    assert any("not downloaded yet" in n for n in backend.notes({}))
    snapshot = tmp_path / "models--stabilityai--stable-diffusion-xl-base-1.0" / "snapshots" / "abc"
    snapshot.mkdir(parents=True)
    assert local.in_hub_cache(backend.repo)
    assert backend.notes({}) == []


def test_a_gated_model_not_downloaded_asks_for_its_licence_and_token(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    backend = catalog.get("flux-dev").backend("diffusers")
    assert any("accept the licence" in n for n in backend.notes({}))
    assert not any("accept the licence" in n for n in backend.notes({"HF_TOKEN": "hf_x"}))


def test_a_missing_download_reads_as_a_sentence_with_the_fix():
    error = OSError("We couldn't connect to 'https://huggingface.co' ... pass "
                    "'local_files_only=False' ... see the stacktrace above")
    message = local._load_error_message("stabilityai/sdxl-turbo", error)
    assert message.startswith("stabilityai/sdxl-turbo is not in the local Hugging Face cache")
    assert "stacktrace" not in message
