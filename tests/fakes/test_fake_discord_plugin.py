"""The ``fake_discord`` fixture fails a test whose bot broke a Discord rule.

Runs a tiny test file in a child pytest (a fixture's teardown failure cannot be observed from
inside the same test); the clean twin in the same file must pass.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD_TESTS = textwrap.dedent(
    """
    import aiohttp

    from tests.fakes.discord.pytest_plugin import fake_discord

    __all__ = ["fake_discord"]


    async def post(fake, payload):
        channel = fake.add_guild().add_channel("general")
        headers = {"Authorization": f"Bot {fake.token}"}
        async with aiohttp.ClientSession() as http:
            url = f"{fake.api_base}/channels/{channel}/messages"
            async with http.post(url, json=payload, headers=headers) as response:
                return response.status


    async def test_breaks_a_rule(fake_discord):
        assert await post(fake_discord, {"content": "x" * 2001}) == 400


    async def test_follows_the_rules(fake_discord):
        assert await post(fake_discord, {"content": "fine"}) == 200
    """
)


def test_fixture_fails_the_test_that_broke_a_rule(tmp_path: Path) -> None:
    test_file = tmp_path / "test_child.py"
    test_file.write_text(CHILD_TESTS)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--rootdir={ROOT}",
            "-c",
            str(ROOT / "pyproject.toml"),
            str(test_file),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    # Both calls pass; the rule breaker errors at the fixture's teardown, and only it.
    assert "2 passed" in output and "1 error" in output, output
    errors = [line for line in output.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1 and "test_breaks_a_rule" in errors[0], output
    assert "the bot broke 1 Discord rule(s)" in output, output
    assert "content is 2001 characters (max 2000)" in output, output
