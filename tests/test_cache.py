"""The response cache as a user meets it: corrupt entries, two builds at once, the committed folder, the
``cache stats``/``cache prune`` commands, and a build killed mid-way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FAKE, report_of, warnings_of

from sphinxcontrib_llmdocs.cache import ResponseCache, cache_key, iter_entries
from sphinxcontrib_llmdocs.llm import Completion, CompletionRequest
from sphinxcontrib_llmdocs.llm.schemas import ModuleResponse

ENTRY_FIELDS = {"format", "key", "kind", "prompt_id", "model", "text", "stop_reason", "usage"}


def entries(root: Path) -> list:
    return list(iter_entries(root))


def local_store(app) -> Path:
    return Path(app.doctreedir) / "llmdocs" / "cache"


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda text: text[: len(text) // 2], id="truncated"),
        pytest.param(lambda text: "", id="empty"),
        pytest.param(lambda text: "[1, 2]", id="not-an-object"),
        pytest.param(lambda text: text.replace('"text"', '"txet"'), id="field-missing"),
        pytest.param(lambda text: "\udcff", id="not-utf8"),
    ],
)
def test_a_corrupt_entry_is_a_warning_and_a_fresh_request(project, build, damage):
    srcdir = project("basic")
    first = build(srcdir, llmdocs_backend=FAKE)
    store = local_store(first)
    victim = sorted(store.rglob("*.json"))[3]
    original = victim.read_bytes()
    victim.write_bytes(damage(original.decode()).encode("utf-8", "surrogateescape"))

    second = build(srcdir, llmdocs_backend=FAKE)
    warnings = warnings_of(second)
    assert f"{victim}" in warnings and "[llmdocs.cache]" in warnings
    report = report_of(second)
    assert report["prompts"]["sent"] == 1
    assert report["prompts"]["cache_hits"] == 12
    assert "not in the cache" in next(iter(report["prompts_rerun"].values()))
    assert victim.read_bytes() == original  # the fresh answer replaced the broken entry
    assert all(e.valid for e in entries(store))


def test_entries_hold_no_paths_or_timestamps_and_are_the_same_on_every_machine(project, build):
    a = project("basic", "machine-a")
    b = project("basic", "machine-b")
    app_a = build(a, llmdocs_backend=FAKE, llmdocs_cache_dir="answers")
    build(b, llmdocs_backend=FAKE, llmdocs_cache_dir="answers")
    files_a = {p.relative_to(a / "answers"): p.read_bytes() for p in (a / "answers").rglob("*.json")}
    files_b = {p.relative_to(b / "answers"): p.read_bytes() for p in (b / "answers").rglob("*.json")}
    assert files_a == files_b and len(files_a) == report_of(app_a)["prompts"]["total"]
    for blob in files_a.values():
        text = blob.decode()
        assert str(a) not in text and "/tmp" not in text and str(Path.home()) not in text
        data = json.loads(text)
        assert set(data) == ENTRY_FIELDS
        assert not any(word in text.lower() for word in ("mtime", "timestamp", "created", "date"))
    # The committed folder and the local store hold the same entries.
    local = {p.relative_to(local_store(app_a)): p.read_bytes() for p in local_store(app_a).rglob("*.json")}
    assert local == files_a


def test_the_committed_folder_is_read_first_and_serves_a_fresh_checkout(project, build):
    maintainer = project("basic", "maintainer")
    build(maintainer, llmdocs_backend=FAKE, llmdocs_cache_dir="answers")
    # A fresh clone (no doctree folder) with the committed answers: nothing is sent.
    clone = project("basic", "clone")
    (clone / "answers").mkdir()
    for path in (maintainer / "answers").rglob("*.json"):
        target = clone / "answers" / path.relative_to(maintainer / "answers")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    app = build(clone, llmdocs_backend=FAKE, llmdocs_cache_dir="answers")
    report = report_of(app)
    assert report["prompts"]["sent"] == 0
    assert report["prompts"]["cache_hits"] == 13


def test_answers_in_the_local_store_are_copied_into_a_newly_configured_committed_folder(project, build):
    srcdir = project("basic")
    build(srcdir, llmdocs_backend=FAKE)
    app = build(srcdir, llmdocs_backend=FAKE, llmdocs_cache_dir="answers")
    assert report_of(app)["prompts"]["sent"] == 0
    assert len(entries(srcdir / "answers")) == 13


WRITER = """
import sys
from pathlib import Path
from sphinxcontrib_llmdocs.cache import ResponseCache, cache_key
from sphinxcontrib_llmdocs.errors import CacheEntryError
from sphinxcontrib_llmdocs.llm import Completion, CompletionRequest
from sphinxcontrib_llmdocs.llm.schemas import ModuleResponse

cache = ResponseCache(Path(sys.argv[1]))
who = sys.argv[2]
bad = 0
for round_ in range(6):
    for i in range(60):
        request = CompletionRequest(f"module:m{i}", "module", "m", "system", f"user {i}", ModuleResponse)
        key = cache_key(request)
        try:
            got = cache.get(key)
        except CacheEntryError as exc:
            bad += 1
            print(exc, file=sys.stderr)
            got = None
        if got is not None and got.text != "x" * 5000 + str(i):
            bad += 1
        cache.put(key, request, Completion(text="x" * 5000 + str(i), model="m"))
print(bad)
"""


def test_two_processes_sharing_one_store_corrupt_nothing(tmp_path):
    store = tmp_path / "store"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(store), who],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("a", "b")
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert out.strip() == "0", err  # no reader ever saw a partial or wrong entry
    found = entries(store)
    assert len(found) == 60 and all(e.valid for e in found)
    assert not list(store.rglob("*.tmp"))


def test_two_builds_at_once_share_a_committed_folder(project, tmp_path):
    shared = tmp_path / "shared-answers"
    builds = []
    # Answers take a little while, so the two builds' prompt phases overlap.
    env = {**os.environ, "LLMDOCS_SLOW_SECONDS": "0.1"}
    for name in ("one", "two"):
        srcdir = project("slow", name)
        out = tmp_path / f"html-{name}"
        builds.append(
            (
                subprocess.Popen(
                    [
                        sys.executable, "-m", "sphinx", "-q", "-b", "html",
                        "-D", f"llmdocs_cache_dir={shared}", str(srcdir), str(out),
                    ],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                ),
                out,
            )
        )  # fmt: skip
    for proc, out in builds:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "llmdocs.cache" not in err
        assert json.loads((out / "llmdocs-report.json").read_text())["prompts"]["failed"] == 0
    found = entries(shared)
    assert len(found) == 13 and all(e.valid for e in found)


def test_cache_get_ignores_leftover_temporary_files(tmp_path):
    cache = ResponseCache(tmp_path)
    request = CompletionRequest("module:m", "module", "m", "s", "u", ModuleResponse)
    key = cache_key(request)
    (tmp_path / key[:2]).mkdir()
    (tmp_path / key[:2] / f".{key}.json.abc123.tmp").write_text('{"half": ')
    assert cache.get(key) is None
    cache.put(key, request, Completion(text="{}", model="m"))
    assert cache.get(key) is not None


# --- the commands --------------------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sphinxcontrib_llmdocs", *args], capture_output=True, text=True, check=False
    )


def build_subprocess(srcdir: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sphinx", "-q", "-b", "html", *options]
    command += [str(srcdir), str(srcdir / "_build" / "html")]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_cache_stats_counts_entries_by_kind_and_model(project):
    srcdir = project("basic")
    assert build_subprocess(srcdir, "-D", f"llmdocs_backend={FAKE}").returncode == 0
    result = run_cli("cache", "stats", str(srcdir), "--json")
    assert result.returncode == 0, result.stderr
    (store,) = json.loads(result.stdout)["stores"]
    assert Path(store["root"]) == (srcdir / "_build" / "html" / ".doctrees" / "llmdocs" / "cache").resolve()
    assert store["entries"] == 13 and store["invalid"] == 0
    assert store["by_kind"] == {"analysis": 4, "index": 1, "module": 6, "package": 2}
    assert store["by_model"] == {"fake-claude-haiku-4-5": 4, "fake-claude-sonnet-4-5": 9}
    assert store["bytes"] == sum(p.stat().st_size for p in Path(store["root"]).rglob("*.json"))
    text = run_cli("cache", "stats", str(srcdir))
    assert "13 entries" in text.stdout and "kind analysis: 4" in text.stdout


def test_cache_stats_without_a_build_says_what_to_do(project):
    result = run_cli("cache", "stats", str(project("basic")))
    assert result.returncode == 1
    assert "build the docs first" in result.stderr


def test_cache_commands_name_a_folder_without_conf_py(tmp_path):
    result = run_cli("cache", "prune", str(tmp_path))
    assert result.returncode == 2
    assert f"{tmp_path}: no conf.py" in result.stderr


def test_cache_prune_removes_exactly_what_the_plan_no_longer_asks_for(project):
    srcdir = project("basic")
    fake = ("-D", f"llmdocs_backend={FAKE}", "-D", "llmdocs_cache_dir=answers")
    assert build_subprocess(srcdir, *fake).returncode == 0
    store = srcdir / "answers"
    before = {e.key for e in entries(store)}
    (srcdir / "src" / "shop" / "orders" / "placing.py").unlink()
    conf = srcdir / "conf.py"
    conf.write_text(conf.read_text() + f"llmdocs_backend = {FAKE!r}\nllmdocs_cache_dir = 'answers'\n")

    dry = run_cli("cache", "prune", str(srcdir), "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    planned = json.loads(dry.stdout)
    assert {e.key for e in entries(store)} == before  # a dry run removes nothing
    assert planned["removed"], "removing a module must leave entries unreferenced"
    removed_ids = {json.loads(Path(p).read_text())["prompt_id"] for p in planned["removed"]}
    # placing's own prompts, and every prompt whose evidence named it or summarised its answer.
    assert {
        "analysis:shop.orders.placing#1",
        "module:shop.orders.placing",
        "package:shop.orders",
    } <= removed_ids
    assert "module:shop.pricing" not in removed_ids

    result = run_cli("cache", "prune", str(srcdir))
    assert result.returncode == 0, result.stderr
    assert f"removed {len(planned['removed'])} entries" in result.stdout
    kept = {e.key for e in entries(store)}
    assert kept == before - {Path(p).stem for p in planned["removed"]}
    # Exactly what the next build needs is left: it sends the prompts of nothing it had already.
    rebuilt = build_subprocess(srcdir)
    assert rebuilt.returncode == 0, rebuilt.stderr
    report = json.loads((srcdir / "_build" / "html" / "llmdocs-report.json").read_text())
    # Every entry prune kept was used, and the store now holds exactly the current plan's answers.
    assert report["prompts"]["cache_hits"] == len(kept)
    assert report["prompts"]["sent"] == report["prompts"]["total"] - len(kept)
    assert len(entries(store)) == report["prompts"]["total"]


# --- a build killed while prompts are in flight ---------------------------------------------------------


def kill_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool], *, timeout: float) -> None:
    """SIGKILL ``proc`` as soon as ``ready()`` holds; fail if the build ends first or never gets there."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if ready():
                break
            assert proc.poll() is None, "the build finished before it could be interrupted"
            time.sleep(0.02)
        else:
            pytest.fail("the build never got three answers stored")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL


def test_a_build_killed_mid_way_resumes_with_only_the_missing_prompts(project, tmp_path):
    srcdir = project("slow")
    log = tmp_path / "calls-1.log"
    out = tmp_path / "html"
    store = out / ".doctrees" / "llmdocs" / "cache"
    env = {**os.environ, "LLMDOCS_SLOW_SECONDS": "0.4", "LLMDOCS_SLOW_LOG": str(log)}
    command = [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(srcdir), str(out)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    started: set[str] = set()
    ended: set[str] = set()

    def in_flight_after_three_answers() -> bool:
        calls = log.read_text().split("\n") if log.exists() else []
        started.update(line[6:] for line in calls if line.startswith("start "))
        ended.update(line[4:] for line in calls if line.startswith("end "))
        return len(entries(store)) >= 3 and bool(started - ended)

    kill_when(proc, in_flight_after_three_answers, timeout=15)
    in_flight = started - ended
    assert in_flight, "no prompt was in flight when the build was killed"

    survived = entries(store)
    assert all(e.valid for e in survived)
    stored_ids = {json.loads(e.path.read_text())["prompt_id"] for e in survived}
    assert not in_flight & stored_ids

    log2 = tmp_path / "calls-2.log"
    env2 = {**env, "LLMDOCS_SLOW_SECONDS": "0", "LLMDOCS_SLOW_LOG": str(log2)}
    second = subprocess.run(command, env=env2, capture_output=True, text=True, check=False)
    assert second.returncode == 0, second.stderr
    asked = [line[6:] for line in log2.read_text().split("\n") if line.startswith("start ")]
    assert len(asked) == len(set(asked)), "a prompt was sent twice"
    report = json.loads((out / "llmdocs-report.json").read_text())
    assert set(asked) == set(report["prompts_rerun"])
    assert report["prompts"]["cache_hits"] == len(survived)
    assert report["prompts"]["sent"] == report["prompts"]["total"] - len(survived) == len(asked)
    assert in_flight <= set(asked)
    assert not set(asked) & stored_ids
    final = entries(store)
    assert len(final) == report["prompts"]["total"] and all(e.valid for e in final)


def test_a_build_killed_against_the_slow_loopback_api_resumes_with_only_the_missing_prompts(
    project, tmp_path
):
    """The same interruption through the real ``anthropic`` SDK over HTTP: every answer is slow, the
    build process is SIGKILLed with requests in flight, and the next build sends only what is missing."""
    from sphinxcontrib_llmdocs.testing import Fault, LoopbackMessagesServer

    srcdir = project("basic")
    out = tmp_path / "html"
    store = out / ".doctrees" / "llmdocs" / "cache"
    key = "sk-ant-DUMMY-killed-build-0000"
    with LoopbackMessagesServer(api_key=key, slow_seconds=0.4) as server:
        server.fail_next(Fault.slow, times=10_000)
        env = {**os.environ, "ANTHROPIC_BASE_URL": server.url, "ANTHROPIC_API_KEY": key}
        command = [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-D", "llmdocs_backend=anthropic"]
        command += ["-D", "llmdocs_max_concurrency=3", str(srcdir), str(out)]
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        def requests_in_flight_after_three_answers() -> bool:
            stored = len(entries(store))
            return stored >= 3 and len(server.requests_to("/v1/messages")) > stored

        kill_when(proc, requests_in_flight_after_three_answers, timeout=30)
        survived = entries(store)
        assert all(e.valid for e in survived)
        first_requests = len(server.requests_to("/v1/messages"))
        assert first_requests > len(survived), "no request was in flight when the build was killed"

        server.slow_seconds = 0.0
        second = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        assert second.returncode == 0, second.stderr
        resent = server.requests_to("/v1/messages")[first_requests:]
        report = json.loads((out / "llmdocs-report.json").read_text())
        assert report["prompts"]["cache_hits"] == len(survived)
        assert report["prompts"]["sent"] == report["prompts"]["total"] - len(survived) == len(resent)
        final = entries(store)
        assert len(final) == report["prompts"]["total"] and all(e.valid for e in final)
    for path in [*out.rglob("*.json"), *out.rglob("*.html"), *out.rglob("*.txt")]:
        assert key not in path.read_text(encoding="utf-8", errors="replace"), path
