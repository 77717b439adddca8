from __future__ import annotations

import pytest

from bot.crypto import DecryptionError, SecretBox, SecretKeyError, generate_key, validate_key


def test_round_trip_and_no_plain_text() -> None:
    box = SecretBox(generate_key())
    token = box.encrypt("hunter2-ü")
    assert "hunter2" not in token
    assert box.decrypt(token) == "hunter2-ü"
    # Fernet tokens are randomised: the same password never gives the same token.
    assert box.encrypt("hunter2-ü") != token


def test_wrong_key_is_a_clear_error() -> None:
    token = SecretBox(generate_key()).encrypt("hunter2")
    with pytest.raises(DecryptionError, match="OUTPOST_SECRET_KEY differs") as info:
        SecretBox(generate_key()).decrypt(token)
    assert "hunter2" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_garbage_token_is_a_clear_error() -> None:
    with pytest.raises(DecryptionError):
        SecretBox(generate_key()).decrypt("not-a-token")


# A real key cut short, fixed (not generated) so every test process collects the same ids.
_CUT_KEY = "vm303uIANK-_YLutXwINuN8pwjPHsquAETBHMr7K"


@pytest.mark.parametrize("key", ["", "abc", "x" * 44, "é" * 44, _CUT_KEY])
def test_bad_keys(key: str) -> None:
    with pytest.raises(SecretKeyError) as info:
        validate_key(key)
    if key:
        assert key not in str(info.value)
    with pytest.raises(SecretKeyError):
        SecretBox(key)


def test_repr_hides_key() -> None:
    key = generate_key()
    assert key not in repr(SecretBox(key))
