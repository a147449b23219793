"""The production deployment: docker-compose.yml, .env.example and the settings' guards.

No database is needed: every check runs in a subprocess with an environment built from
scratch (the caller's DEBUG, DATABASE_URL and so on are removed first), so these tests
give the same answer under `make test` and on their own.
"""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "safeguarding" / "settings.py"
ENV_EXAMPLE = ROOT / ".env.example"
COMPOSE_FILE = ROOT / "docker-compose.yml"
TIMEOUT = 180

REQUIRED_SERVICES = {"web", "worker", "beat", "db", "redis", "mail", "migrate"}

_VAR_LINE = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")


def _settings_variables() -> set[str]:
    """Names of the environment variables settings.py reads through django-environ."""
    text = SETTINGS.read_text()
    return set(re.findall(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", text))


def _compose_variables() -> set[str]:
    """Names docker-compose.yml substitutes (${NAME...})."""
    text = COMPOSE_FILE.read_text()
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))


def _parse_env_example() -> tuple[dict[str, str], set[str], list[str]]:
    """(active KEY=value pairs, every documented key incl. `# KEY=`, keys with no comment)."""
    active: dict[str, str] = {}
    documented: set[str] = set()
    uncommented: list[str] = []
    previous = ""
    for raw in ENV_EXAMPLE.read_text().splitlines():
        line = raw.strip()
        match = _VAR_LINE.match(line)
        if match:
            commented, key, value = match.groups()
            documented.add(key)
            if not commented:
                value = value.strip()
                if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                    value = value[1:-1]
                active[key] = value
                if not previous.startswith("#"):
                    uncommented.append(key)
        if line:
            previous = line
    return active, documented, uncommented


def _clean_env(**overrides: str | None) -> dict[str, str]:
    """os.environ without anything that configures Django or docker-compose, plus overrides
    (None removes a variable)."""
    _, documented, _ = _parse_env_example()
    drop = _settings_variables() | documented | _compose_variables() | {"DJANGO_SETTINGS_MODULE"}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in drop and not key.startswith(("COMPOSE_", "DJANGO_"))
    }
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _strong_key() -> str:
    return secrets.token_urlsafe(64)


def _run(cmd: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def _output(result: subprocess.CompletedProcess) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


# --- docker-compose.yml ------------------------------------------------------------------


@pytest.fixture(scope="module")
def docker_compose() -> str:
    path = shutil.which("docker-compose")
    if path is None:
        pytest.fail(
            "docker-compose is not installed, so docker-compose.yml cannot be validated. "
            "`make test` installs it (Debian package docker-compose, via `make system-deps`)."
        )
    return path


def _service_block(config: str, name: str) -> str:
    """One service's block of `docker-compose config` output (normalised, 2-space indent)."""
    lines = config.splitlines()
    try:
        start = lines.index("services:")
        first = lines.index(f"  {name}:", start)
    except ValueError:
        return ""
    block = []
    for line in lines[first + 1 :]:
        if line.strip() and not line.startswith("    "):
            break
        block.append(line)
    return "\n".join(block)


def test_compose_file_is_valid_and_complete(docker_compose):
    key = _strong_key()
    env = _clean_env(SECRET_KEY=key)
    base = [docker_compose, "--env-file", str(ENV_EXAMPLE), "-f", str(COMPOSE_FILE)]

    result = _run([*base, "config"], env)
    assert result.returncode == 0, f"docker-compose config failed:\n{_output(result)}"
    config = result.stdout

    services = _run([*base, "config", "--services"], env)
    assert services.returncode == 0, _output(services)
    missing = REQUIRED_SERVICES - set(services.stdout.split())
    assert not missing, f"services missing from docker-compose.yml: {sorted(missing)}"

    web = _service_block(config, "web")
    assert "    healthcheck:" in web, f"web has no healthcheck:\n{web}"
    assert "/healthz" in web, "web's healthcheck should request /healthz"
    assert "gunicorn" in web
    assert f"SECRET_KEY: {key}" in web, "SECRET_KEY from the environment must reach web"
    for name in ("web", "worker", "beat", "migrate"):
        block = _service_block(config, name)
        assert "DEBUG: 'false'" in block or 'DEBUG: "false"' in block, f"{name}: DEBUG not off"
    assert "- worker" in _service_block(config, "worker")
    assert "- beat" in _service_block(config, "beat")
    assert "service_completed_successfully" in web, "web must wait for migrate to finish"


APP_SERVICES = ("web", "worker", "beat", "migrate")
# Set by docker-compose.yml itself to the bundled services (docs/deploy.md says so).
FIXED_BY_COMPOSE = {"DEBUG", "DEMO_MODE", "DATABASE_URL", "CELERY_BROKER_URL", "MEDIA_ROOT"}
# Not passed to the containers, on purpose: the image collects its static files at build
# time into STATIC_ROOT's default; the broker folder and the outbox exist only in the
# embedded demo; the stack's worker consumes only the default queue (.env.example says).
NOT_FOR_THE_CONTAINERS = {"STATIC_ROOT", "CELERY_BROKER_DIR", "EMAIL_FILE_PATH", "REMINDER_QUEUE"}


def test_compose_passes_every_setting_in_env_to_the_containers(docker_compose, tmp_path):
    """docker-compose reads .env only to fill in the file's ${...}: a variable the file does
    not name is never given to a container, so a setting written in .env (TRUSTED_PROXIES
    behind the TLS proxy, say) would be silently ignored."""
    active, _, _ = _parse_env_example()
    probes = {
        name: f"probe-{name.lower()}"
        for name in _settings_variables() - FIXED_BY_COMPOSE - NOT_FOR_THE_CONTAINERS
    }
    env_file = tmp_path / "every-setting.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in {**active, **probes}.items()))
    result = _run(
        [docker_compose, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config"],
        _clean_env(),
    )
    assert result.returncode == 0, _output(result)
    for service in APP_SERVICES:
        block = _service_block(result.stdout, service)
        environment = dict(re.findall(r"^      ([A-Z][A-Z0-9_]*): (.*)$", block, re.MULTILINE))
        dropped = sorted(
            name
            for name, value in probes.items()
            if environment.get(name, "").strip("'\"") != value
        )
        assert not dropped, f"{service} is not given these settings from .env: {dropped}"
        fixed_missing = sorted(FIXED_BY_COMPOSE - set(environment))
        assert not fixed_missing, f"{service} does not fix {fixed_missing}"


def _env_example_comments() -> dict[str, str]:
    """Each variable of .env.example -> the comment lines just above it."""
    comments: dict[str, str] = {}
    block: list[str] = []
    for raw in ENV_EXAMPLE.read_text().splitlines():
        line = raw.strip()
        match = _VAR_LINE.match(line)
        if match:
            comments[match.group(2)] = " ".join(block)
            block = []
        elif line.startswith("#"):
            block.append(line.lstrip("# "))
        else:
            block = []
    return comments


def test_env_example_says_which_variables_docker_compose_fixes():
    """Setting these in .env changes nothing under docker-compose: .env.example says so."""
    comments = _env_example_comments()
    unmarked = sorted(
        name for name in FIXED_BY_COMPOSE if "(set by docker-compose.yml" not in comments[name]
    )
    assert not unmarked, f".env.example does not mark as set by docker-compose.yml: {unmarked}"


def test_compose_trusts_the_tls_proxy_in_front_of_web(docker_compose, tmp_path):
    """web speaks plain HTTP behind the TLS proxy docs/deploy.md requires: with
    TRUSTED_PROXIES=0 every sign-in would seem to come from the proxy, so the lockout by
    address (LOCKOUT_ADDRESS_FAILURES failures from anyone) would lock everyone out."""
    active, _, _ = _parse_env_example()
    assert int(active.get("TRUSTED_PROXIES", "0")) >= 1, ".env.example must trust the proxy"
    env_file = tmp_path / "no-proxies.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in active.items() if k != "TRUSTED_PROXIES"))
    result = _run(
        [docker_compose, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config"],
        _clean_env(SECRET_KEY=_strong_key()),
    )
    assert result.returncode == 0, _output(result)
    for service in APP_SERVICES:
        block = _service_block(result.stdout, service)
        assert re.search(r"^      TRUSTED_PROXIES: '?1'?$", block, re.MULTILINE), (
            f"{service} does not trust one proxy when .env leaves TRUSTED_PROXIES out:\n{block}"
        )


def test_compose_refuses_to_run_without_secret_key(docker_compose, tmp_path):
    env_file = tmp_path / "no-secret.env"
    env_file.write_text(
        "".join(
            line + "\n"
            for line in ENV_EXAMPLE.read_text().splitlines()
            if not line.startswith("SECRET_KEY=")
        )
    )
    result = _run(
        [docker_compose, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config"],
        _clean_env(),
    )
    assert result.returncode != 0, "docker-compose config should refuse an unset SECRET_KEY"
    assert "SECRET_KEY" in result.stderr, _output(result)


# --- .env.example ------------------------------------------------------------------------


def test_env_example_documents_every_setting():
    _, documented, uncommented = _parse_env_example()
    settings_vars = _settings_variables()
    assert settings_vars, 'no env.<type>("NAME") calls found in settings.py'

    missing = settings_vars - documented
    assert not missing, f".env.example does not document: {sorted(missing)}"
    assert not uncommented, f".env.example variables without an explaining comment: {uncommented}"

    stray = documented - settings_vars - _compose_variables()
    assert not stray, f".env.example lists variables nothing reads: {sorted(stray)}"

    compose_missing = _compose_variables() - documented
    assert not compose_missing, (
        f"docker-compose.yml uses variables .env.example does not document: "
        f"{sorted(compose_missing)}"
    )


def test_check_deploy_is_clean_with_the_example_configuration():
    active, _, _ = _parse_env_example()
    assert active.get("DEBUG", "").lower() in {"false", "0", "off", "no"}, (
        ".env.example must turn DEBUG off"
    )
    env = _clean_env(**active)
    env["SECRET_KEY"] = _strong_key()
    env["DJANGO_SETTINGS_MODULE"] = "safeguarding.settings"

    result = _run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env
    )
    assert result.returncode == 0, f"check --deploy reported problems:\n{_output(result)}"
    assert "no issues" in result.stdout, _output(result)
    assert "(0 silenced)" in result.stdout, f"deploy checks must not be silenced:\n{result.stdout}"


# --- The settings refuse to start unsafe ------------------------------------------------

# What gunicorn does: import the WSGI application.
_SETUP = "import safeguarding.wsgi; print('started')"


def _django_setup(env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {**env, "DJANGO_SETTINGS_MODULE": "safeguarding.settings"}
    return _run([sys.executable, "-c", _SETUP], env)


def _dotenv_defines(key: str) -> bool:
    dotenv = ROOT / ".env"
    return dotenv.exists() and any(
        line.strip().startswith(f"{key}=") for line in dotenv.read_text().splitlines()
    )


@pytest.mark.parametrize(
    "secret_key",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("too-short-for-production", id="short"),
        pytest.param("insecure-" + "x" * 60, id="insecure-prefix"),
    ],
)
def test_settings_refuse_an_unsafe_secret_key_when_debug_is_off(secret_key):
    if secret_key is None and _dotenv_defines("SECRET_KEY"):
        pytest.skip("a local .env defines SECRET_KEY, which settings.py reads when it is unset")
    result = _django_setup(_clean_env(DEBUG="false", SECRET_KEY=secret_key))
    assert result.returncode != 0, f"settings started with an unsafe SECRET_KEY:\n{_output(result)}"
    assert "SECRET_KEY" in result.stderr, _output(result)


def test_settings_refuse_the_example_placeholder_key():
    active, _, _ = _parse_env_example()
    result = _django_setup(_clean_env(**active))
    assert result.returncode != 0, ".env.example's SECRET_KEY must not be usable as it is"
    assert "SECRET_KEY" in result.stderr, _output(result)


def test_settings_refuse_demo_mode_when_debug_is_off():
    result = _django_setup(_clean_env(DEBUG="false", DEMO_MODE="true", SECRET_KEY=_strong_key()))
    assert result.returncode != 0, "settings started with DEMO_MODE on and DEBUG off"
    assert "DEMO_MODE" in result.stderr, _output(result)


def test_settings_start_with_a_strong_key_when_debug_is_off():
    result = _django_setup(
        _clean_env(DEBUG="false", SECRET_KEY=_strong_key(), SITE_URL="https://reviews.example.org")
    )
    assert result.returncode == 0, _output(result)
    assert "started" in result.stdout


@pytest.mark.parametrize(
    "site_url",
    [
        pytest.param(None, id="missing: every link would point at 127.0.0.1"),
        pytest.param("http://reviews.example.org", id="plain http"),
    ],
)
def test_the_web_process_refuses_a_site_url_that_is_not_https_when_debug_is_off(site_url):
    """SITE_URL starts every link in the e-mails (a request, a reminder, a password
    reset) and the calendar feeds: left at its default, each would point at the
    recipient's own computer; on plain http, a reset link would travel unencrypted."""
    if site_url is None and _dotenv_defines("SITE_URL"):
        pytest.skip("a local .env defines SITE_URL, which settings.py reads when it is unset")
    result = _django_setup(_clean_env(DEBUG="false", SECRET_KEY=_strong_key(), SITE_URL=site_url))
    assert result.returncode != 0, f"started with SITE_URL={site_url}:\n{_output(result)}"
    assert "SITE_URL" in result.stderr, _output(result)


def test_the_worker_refuses_to_start_without_a_secret_key(tmp_path):
    env = _clean_env(DEBUG="false", CELERY_BROKER_DIR=str(tmp_path / "broker"))
    env.pop("SECRET_KEY", None)
    env["DJANGO_SETTINGS_MODULE"] = "safeguarding.settings"
    result = _run(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "safeguarding",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
        ],
        env,
    )
    assert result.returncode != 0, _output(result)
    assert "SECRET_KEY" in _output(result)


def test_management_commands_that_need_no_key_run_without_one(tmp_path):
    """Migrations can be checked (and run) before a key is configured."""
    if _dotenv_defines("SECRET_KEY"):
        pytest.skip("a local .env defines SECRET_KEY")
    env = _clean_env(DEBUG="false", DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}")
    env.pop("SECRET_KEY", None)
    env["DJANGO_SETTINGS_MODULE"] = "safeguarding.settings"
    result = _run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], env)
    assert result.returncode == 0, _output(result)


def test_beat_takes_the_sweep_interval_from_the_settings(tmp_path):
    """REMINDER_SWEEP_SECONDS set wherever settings.py reads it (the environment, or a .env
    file beside manage.py) is the interval beat runs the sweep at, not beat's own default."""
    (tmp_path / "sweep_settings.py").write_text(
        "from safeguarding.settings import *  # noqa: F403\nREMINDER_SWEEP_SECONDS = 123\n"
    )
    env = _clean_env(DEBUG="true", DJANGO_SETTINGS_MODULE="sweep_settings")
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT)])
    result = _run(
        [
            sys.executable,
            "-c",
            "from safeguarding.celery import app; "
            "print(app.conf.beat_schedule['sweep-reminders']['schedule'])",
        ],
        env,
    )
    assert result.returncode == 0, _output(result)
    assert result.stdout.split() == ["123.0"], _output(result)
