"""verify_release: a clean release verifies; every kind of tampering is found and named, offline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from clearlm.errors import InputError
from clearlm.release import signing
from clearlm.release.build import build_release
from clearlm.release.sums import SIGNATURE_FILE, write_sums
from clearlm.release.verify import verify_release


@pytest.fixture(scope="module")
def built(audited_ws: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(workspace copy, release folder) made once for the module; tests tamper with copies."""
    ws = tmp_path_factory.mktemp("verify") / "ws"
    shutil.copytree(audited_ws, ws)
    return ws, build_release(ws, None, None).dir


@pytest.fixture
def release(built: tuple[Path, Path], tmp_path: Path) -> Path:
    copy = tmp_path / "release"
    shutil.copytree(built[1], copy)
    return copy


@pytest.fixture
def owner_key(built: tuple[Path, Path]) -> Ed25519PrivateKey:
    key, _ = signing.load_or_create_key(built[0])
    return key


def resign(folder: Path, key: Ed25519PrivateKey) -> None:
    """What a forger with `key` does after editing: new SHA256SUMS and a valid signature over it."""
    (folder / SIGNATURE_FILE).unlink()
    (folder / SIGNATURE_FILE).write_bytes(signing.sign(key, write_sums(folder)))


def problems(folder: Path, public_key: Path | None = None) -> list[str]:
    return verify_release(folder, public_key=public_key).problems


def flip_byte(path: Path, offset_from_end: int = 10) -> None:
    data = bytearray(path.read_bytes())
    data[-offset_from_end] ^= 0x01
    path.write_bytes(bytes(data))


def test_clean_release_verifies(release: Path) -> None:
    report = verify_release(release)
    assert report.ok, report.problems
    assert report.name == "tiny-clear"
    assert report.digest is not None and len(report.digest) == 64
    assert len(report.checked) >= 8


def test_changed_byte_in_weights_is_found(release: Path) -> None:
    flip_byte(release / "model.safetensors")
    found = problems(release)
    assert found == ["model.safetensors: SHA-256 differs from SHA256SUMS (changed after release)"]


def test_changed_byte_in_model_card_is_found(release: Path) -> None:
    flip_byte(release / "README.md", offset_from_end=2)
    assert "README.md: SHA-256 differs from SHA256SUMS (changed after release)" in problems(release)


def test_extra_and_missing_files_are_found(release: Path) -> None:
    (release / "notes.txt").write_text("added later\n")
    (release / "tokenizer.json").unlink()
    found = problems(release)
    assert "notes.txt: present but not listed in SHA256SUMS" in found
    assert "tokenizer.json: listed in SHA256SUMS but missing" in found


def test_signature_by_another_key_is_found(release: Path) -> None:
    flip_byte(release / "README.md", offset_from_end=2)
    resign(release, Ed25519PrivateKey.generate())  # checksums now match; the signature is a forgery
    assert problems(release) == [
        "SHA256SUMS.sig: the signature over SHA256SUMS does not verify with release.pub"
    ]


def test_swapped_public_key_is_found(release: Path) -> None:
    (release / "release.pub").write_bytes(signing.public_key_pem(Ed25519PrivateKey.generate()))
    found = problems(release)
    assert "release.pub: SHA-256 differs from SHA256SUMS (changed after release)" in found
    assert "SHA256SUMS.sig: the signature over SHA256SUMS does not verify with release.pub" in found
    assert "release.json: signature.public_key is not the key in release.pub" in found


def test_a_pinned_key_catches_a_complete_forgery(release: Path, tmp_path: Path) -> None:
    original = tmp_path / "publisher.pub"
    original.write_bytes((release / "release.pub").read_bytes())
    assert problems(release, original) == []

    forger = Ed25519PrivateKey.generate()
    flip_byte(release / "README.md", offset_from_end=2)
    pem = signing.public_key_pem(forger)
    (release / "release.pub").write_bytes(pem)
    meta = json.loads((release / "release.json").read_text())
    meta["signature"]["public_key"] = pem.decode()
    (release / "release.json").write_text(json.dumps(meta))
    resign(release, forger)
    assert problems(release) == []  # self-consistent: the folder's own key cannot tell
    assert problems(release, original) == [
        "release.pub is not the key given with --public-key",
        "SHA256SUMS.sig: the signature over SHA256SUMS does not verify with the key given with --public-key",
    ]


def test_shipped_canaries_are_found_even_when_signed(release: Path, owner_key: Ed25519PrivateKey) -> None:
    (release / "audit" / "canaries.json").write_text('{"canaries": []}')
    resign(release, owner_key)
    assert problems(release) == [
        "audit/canaries.json: the audit's private canary secrets must never be released"
    ]


def test_parts_that_do_not_agree_are_found(release: Path, owner_key: Ed25519PrivateKey) -> None:
    card = (release / "README.md").read_text()
    (release / "README.md").write_text(card.replace("license:", "license: apache-2.0\nold_license:", 1))
    meta = json.loads((release / "release.json").read_text())
    meta["step"] = 30
    (release / "release.json").write_text(json.dumps(meta))
    summary = json.loads((release / "croissant.json").read_text())
    (release / "croissant.json").write_text(json.dumps(summary).replace("tiny-clear", "other-model"))
    config = json.loads((release / "config.json").read_text())
    config["architectures"] = ["GPT2LMHeadModel"]
    (release / "config.json").write_text(json.dumps(config))
    (release / "tiny-clear.gguf").write_bytes(b"GGUF" + b"\0" * 16)
    resign(release, owner_key)  # signed by the publisher: only the content checks can object
    found = problems(release)
    assert "LICENSE does not state the licence README.md declares (apache-2.0)" in found
    assert "release.json: step 30 differs from lineage.json's 60" in found
    assert "croissant.json: does not name the model 'tiny-clear'" in found
    assert "config.json: not a Llama model (architectures)" in found
    assert any(p.startswith("tiny-clear.gguf: not a readable GGUF file") for p in found)
    assert len(found) == 5


def test_missing_front_matter_and_unreadable_json_are_found(
    release: Path, owner_key: Ed25519PrivateKey
) -> None:
    card = (release / "README.md").read_text()
    (release / "README.md").write_text(card.split("---", 2)[2])
    (release / "training-data-summary.json").write_text("{not json")
    resign(release, owner_key)
    found = problems(release)
    assert "README.md: no YAML front matter between '---' lines" in found
    assert any(p.startswith("training-data-summary.json: not readable JSON") for p in found)


def test_unsigned_folder_lists_what_is_missing(release: Path) -> None:
    (release / "SHA256SUMS").unlink()
    (release / SIGNATURE_FILE).unlink()
    assert problems(release) == ["SHA256SUMS is missing"]


def test_unusable_arguments_are_input_errors(release: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a folder"):
        verify_release(tmp_path / "nowhere")
    (tmp_path / "key.pem").write_text("not a key")
    with pytest.raises(InputError, match="not a PEM public key"):
        verify_release(release, public_key=tmp_path / "key.pem")


@pytest.mark.slow
def test_transformers_loads_the_release_with_our_logits(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch
    import transformers

    from clearlm.model.hf_weights import load_hf_folder

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    ws, folder = built
    ours, _ = load_hf_folder(ws / "checkpoints" / "step-000060")
    hf = transformers.AutoModelForCausalLM.from_pretrained(folder, local_files_only=True)
    assert not hf.training  # from_pretrained returns the model in eval mode
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
    ids = torch.tensor([tokenizer("The tide came in over the sand")["input_ids"]])
    with torch.no_grad():
        torch.testing.assert_close(hf(ids).logits, ours(ids), atol=1e-5, rtol=1e-5)
