#!/usr/bin/env python3
"""Static checks of the deployment files; no Docker engine needed.

Checks, from the repository root:
  compose     docker/compose.yml: services postgres/migrate/server-1/server-2/nginx,
              healthchecks, the named volume, depends_on conditions, the server image built from
              docker/Dockerfile, the server's environment uses only variables the server reads,
              both instances identical, reachable only through nginx, which they trust.
  nginx       deploy/nginx/calls-platform.conf: TLS 1.2/1.3 only, HTTP -> HTTPS redirect, an
              upstream naming every compose instance with keep-alive (its idle timeout below the
              server's), X-Forwarded-For/-Proto and Host passed, client Forwarded dropped,
              timeouts, a body limit, retries of idempotent requests only.
  env-compose every ${VAR} that docker/compose.yml interpolates is documented in .env.example.
  env-server  every environment variable the server reads (the OVERRIDES table of
              crates/calls-server/src/settings/env.rs, plus direct env(...) look-ups in
              crates/calls-server/src) is documented in .env.example, with a comment that names
              its default; .env.example documents nothing else.
  dockerfile  docker/Dockerfile: multi-stage, cached dependency layer before the sources, every
              top-level path a crate includes at compile time is copied, runtime on
              debian:bookworm-slim, non-root USER, HEALTHCHECK on /system/health, EXPOSE,
              ENTRYPOINT/CMD; .dockerignore keeps target/, .git and env files out.
  config      config/production.toml uses only keys (with the same types) of config/default.toml.
  systemd     docs/deploy/calls-server.service has the expected hardening and lifecycle lines.

Usage:
  python3 scripts/check-deploy-files.py              # run every check, exit 1 on any failure
  python3 scripts/check-deploy-files.py --self-test  # prove the checks catch broken files
  python3 scripts/check-deploy-files.py --root DIR   # check another checkout

Python 3.11+ standard library, plus PyYAML to read compose.yml: when `import yaml` fails, the
script creates .venv-tools/ at the repository root, installs PyYAML there with pip, and re-runs
itself with that interpreter.
"""

from __future__ import annotations

import argparse
import fnmatch
import ipaddress
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT_ROOT = Path(__file__).resolve().parent.parent
VENV_DIR_NAME = ".venv-tools"


# --------------------------------------------------------------------------------------------
# PyYAML bootstrap


def import_yaml():
    try:
        import yaml  # noqa: PLC0415

        return yaml
    except ImportError:
        pass
    if os.environ.get("CHECK_DEPLOY_FILES_IN_VENV"):
        sys.exit("check-deploy-files: PyYAML is still missing inside .venv-tools; giving up")
    venv = SCRIPT_ROOT / VENV_DIR_NAME
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"check-deploy-files: PyYAML not found; creating {venv} with PyYAML", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    if subprocess.run([str(python), "-c", "import yaml"], capture_output=True).returncode != 0:
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "pyyaml"],
            check=True,
        )
    env = dict(os.environ, CHECK_DEPLOY_FILES_IN_VENV="1")
    os.execve(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]], env)


yaml = import_yaml()


# --------------------------------------------------------------------------------------------
# Report


@dataclass
class Report:
    failures: list[tuple[str, str]] = field(default_factory=list)
    passed: dict[str, int] = field(default_factory=dict)
    verbose: bool = False

    @property
    def passes(self) -> int:
        return sum(self.passed.values())

    def fail(self, section: str, message: str) -> None:
        self.failures.append((section, message))
        if self.verbose:
            print(f"  FAIL [{section}] {message}")

    def ok(self, section: str, message: str) -> None:
        self.passed[section] = self.passed.get(section, 0) + 1
        if self.verbose:
            print(f"  ok   [{section}] {message}")

    def check(self, condition: bool, section: str, message: str) -> bool:
        """Records `message`, a statement that should hold, as passed or failed."""
        if condition:
            self.ok(section, message)
        else:
            self.fail(section, f"expected: {message}")
        return condition

    def info(self, section: str, message: str) -> None:
        if self.verbose:
            print(f"  --   [{section}] {message}")


# --------------------------------------------------------------------------------------------
# Sources of truth: the server's variables and default.toml


OVERRIDE_RE = re.compile(
    r'\(\s*"(?P<var>[A-Z][A-Z0-9_]*)"\s*,\s*"(?P<path>[a-z0-9_.]+)"\s*,\s*Kind::(?P<kind>\w+)\s*,?\s*\)'
)
# Direct look-ups outside the table: env("X"), part("X", ..), std::env::var("X"), var_os("X").
DIRECT_ENV_RE = re.compile(r'\b(?:env|part|var|var_os)\(\s*"(?P<var>[A-Z][A-Z0-9_]*)"')


@dataclass
class ServerVars:
    overrides: dict[str, tuple[str, str]]  # var -> (setting path, kind)
    direct: dict[str, str]  # var -> file where it is read

    @property
    def all(self) -> set[str]:
        return set(self.overrides) | set(self.direct)

    def integer_vars(self) -> set[str]:
        return {v for v, (_, kind) in self.overrides.items() if kind == "Integer"}


def server_vars(root: Path, report: Report) -> ServerVars:
    env_rs = root / "crates/calls-server/src/settings/env.rs"
    text = env_rs.read_text()
    match = re.search(r"const OVERRIDES\b.*?=\s*&\[(?P<body>.*?)\n\];", text, re.S)
    overrides: dict[str, tuple[str, str]] = {}
    if match:
        for m in OVERRIDE_RE.finditer(match.group("body")):
            overrides[m.group("var")] = (m.group("path"), m.group("kind"))
    report.check(
        len(overrides) >= 10,
        "env-server",
        f"parsed {len(overrides)} variables from the OVERRIDES table of {env_rs.relative_to(root)}",
    )
    direct: dict[str, str] = {}
    for path in sorted((root / "crates/calls-server/src").rglob("*.rs")):
        for m in DIRECT_ENV_RE.finditer(path.read_text()):
            direct.setdefault(m.group("var"), str(path.relative_to(root)))
    report.info("env-server", f"direct look-ups: {', '.join(sorted(direct)) or 'none'}")
    return ServerVars(overrides, direct)


def load_toml(path: Path, report: Report, section: str) -> dict | None:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        report.fail(section, f"{path} is missing")
    except tomllib.TOMLDecodeError as err:
        report.fail(section, f"{path} is not valid TOML: {err}")
    return None


def toml_has_path(table: dict, dotted: str) -> bool:
    node = table
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


# --------------------------------------------------------------------------------------------
# .env.example


ASSIGN_RE = re.compile(r"^(?P<commented>#\s*)?(?P<var>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


@dataclass
class EnvDoc:
    active: dict[str, str]  # KEY=value lines
    optional: dict[str, str]  # "# KEY=value" lines
    comments: dict[str, str]  # KEY -> the prose comment block right above it
    duplicates: list[str]

    @property
    def documented(self) -> set[str]:
        return set(self.active) | set(self.optional)


def parse_env_example(path: Path) -> EnvDoc:
    active: dict[str, str] = {}
    optional: dict[str, str] = {}
    comments: dict[str, str] = {}
    duplicates: list[str] = []
    block: list[str] = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        m = ASSIGN_RE.match(line)
        if m:
            var = m.group("var")
            if var in active or var in optional:
                duplicates.append(var)
            (optional if m.group("commented") else active)[var] = m.group("value")
            comments[var] = " ".join(block)
            block = []
        elif line.startswith("#"):
            text = line.lstrip("#").strip()
            if text and not set(text) <= set("-="):
                block.append(text)
            elif set(text) <= set("-=") and text:
                block = []  # a section rule ends the previous comment block
        else:
            block = []
    return EnvDoc(active, optional, comments, duplicates)


# --------------------------------------------------------------------------------------------
# compose.yml


INTERP_RE = re.compile(
    r"\$\{(?P<var>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


def interpolations(text: str) -> list[re.Match]:
    """Every ${VAR...} / $VAR that Compose interpolates ($$ is a literal dollar)."""
    text = text.replace("$$", "\0\0")
    return list(INTERP_RE.finditer(text))


def walk_strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from walk_strings(key)
            yield from walk_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk_strings(item)


def env_mapping(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        out = {}
        for item in env:
            key, _, value = str(item).partition("=")
            out[key] = value
        return out
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def healthcheck_text(service: dict) -> str:
    test = (service.get("healthcheck") or {}).get("test")
    if isinstance(test, list):
        return " ".join(str(t) for t in test)
    return str(test or "")


def depends_condition(service: dict, other: str) -> str | None:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return "service_started" if other in deps else None
    entry = deps.get(other)
    if entry is None:
        return None
    return (entry or {}).get("condition", "service_started")


def duration_secs(value) -> float | None:
    if value is None:
        return None
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", str(value))
    if not parts:
        return None
    scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    return sum(float(n) * scale[u] for n, u in parts)


# Server variables whose compose.yml default deliberately differs from config/default.toml.
COMPOSE_DELIBERATE_DEFAULTS = {
    "LOG_FORMAT": "json in containers, for the log driver",
    "TRUSTED_PROXIES": "nginx's fixed address on the compose network",
}

# The API instances of compose.yml, which nginx's upstream must list.
SERVER_SERVICES = ("server-1", "server-2")

# Server variables compose.yml deliberately does not pass to the server, and why.
NOT_WIRED_IN_COMPOSE = {
    "TLS_CERT_FILE": "nginx terminates TLS in compose; the instances speak HTTP on the network",
    "TLS_KEY_FILE": "nginx terminates TLS in compose",
    "CALLS_CONFIG": "no config file is mounted; see docs/OPERATIONS.md",
    "DATABASE_URL": "the bundled postgres service is reached through POSTGRES_*",
    "JWT_SECRET_KEY": "older alias of JWT_SECRET",
    "DATABASE_POOLER": "compose has no pooler: the server reaches its postgres service directly",
    "DATABASE_MIGRATION_URL": "only with a pooler, which compose does not have",
}


def check_compose(root: Path, report: Report, svars: ServerVars, doc: EnvDoc | None, defaults: dict | None):
    section = "compose"
    path = root / "docker/compose.yml"
    try:
        text = path.read_text()
        compose = yaml.safe_load(text)
    except FileNotFoundError:
        report.fail(section, f"{path} is missing")
        return
    except yaml.YAMLError as err:
        report.fail(section, f"docker/compose.yml is not valid YAML: {err}")
        return
    if not isinstance(compose, dict):
        report.fail(section, "docker/compose.yml is not a mapping")
        return
    services = compose.get("services") or {}
    for name in ("postgres", "migrate", *SERVER_SERVICES, "nginx"):
        report.check(name in services, section, f"service '{name}' is defined")
    postgres = services.get("postgres") or {}
    migrate = services.get("migrate") or {}
    server = services.get(SERVER_SERVICES[0]) or {}
    for other in SERVER_SERVICES[1:]:
        report.check(
            services.get(other) == server,
            section,
            f"{other} is configured exactly as {SERVER_SERVICES[0]} (one instance, twice)",
        )

    # postgres
    image = str(postgres.get("image", ""))
    report.check(image.startswith("postgres:15"), section, f"postgres runs PostgreSQL 15 (image '{image}')")
    report.check("pg_isready" in healthcheck_text(postgres), section, "postgres has a pg_isready healthcheck")
    declared = set((compose.get("volumes") or {}).keys())
    data_volume = None
    for vol in postgres.get("volumes") or []:
        spec = vol if isinstance(vol, str) else f"{vol.get('source')}:{vol.get('target')}"
        source, _, target = spec.partition(":")
        if target.split(":")[0] == "/var/lib/postgresql/data":
            data_volume = source
    report.check(
        data_volume is not None and data_volume in declared,
        section,
        f"postgres data is on a named volume declared under volumes: ('{data_volume}')",
    )
    pg_env = env_mapping(postgres)
    report.check(
        "POSTGRES_PASSWORD" in pg_env and ":?" in pg_env["POSTGRES_PASSWORD"],
        section,
        "postgres requires POSTGRES_PASSWORD from the env file (${POSTGRES_PASSWORD:?...})",
    )

    # image built from docker/Dockerfile, for migrate and server
    for name, service in (("server", server), ("migrate", migrate)):
        build = service.get("build")
        if isinstance(build, str):
            build = {"context": build}
        if not build:
            report.fail(section, f"{name} has a build section")
            continue
        context = (path.parent / str(build.get("context", "."))).resolve()
        dockerfile = (context / str(build.get("dockerfile", "Dockerfile"))).resolve()
        report.check(
            dockerfile == (root / "docker/Dockerfile").resolve() and context == root.resolve(),
            section,
            f"{name} is built from docker/Dockerfile with the repository root as context "
            f"(context {os.path.relpath(context, root)}, dockerfile {os.path.relpath(dockerfile, root)})",
        )
    report.check(
        server.get("image") is not None and server.get("image") == migrate.get("image"),
        section,
        "migrate and server run the same image",
    )

    # commands and order
    report.check(migrate.get("command") in (["migrate"], "migrate"), section, "migrate runs `calls-server migrate`")
    report.check(server.get("command") in (["serve"], "serve", None), section, "server runs `calls-server serve`")
    report.check(
        depends_condition(migrate, "postgres") == "service_healthy",
        section,
        "migrate waits for postgres to be healthy",
    )
    report.check(
        depends_condition(server, "postgres") == "service_healthy",
        section,
        "server waits for postgres to be healthy",
    )
    report.check(
        depends_condition(server, "migrate") == "service_completed_successfully",
        section,
        "server waits for migrate to complete successfully",
    )
    report.check("/system/health" in healthcheck_text(server), section, "server healthcheck probes /system/health")
    for name, service in (("postgres", postgres), ("server", server)):
        hc = service.get("healthcheck") or {}
        report.check(
            all(k in hc for k in ("interval", "timeout", "retries")),
            section,
            f"{name} healthcheck sets interval, timeout and retries",
        )
    shutdown = ((defaults or {}).get("server") or {}).get("shutdown_timeout_secs", 10)
    grace = duration_secs(server.get("stop_grace_period"))
    report.check(
        grace is not None and grace > shutdown,
        section,
        f"server stop_grace_period ({server.get('stop_grace_period')}) exceeds the {shutdown} s graceful shutdown",
    )
    report.check(
        not server.get("ports"),
        section,
        "the server instances publish no port (clients reach them through nginx only)",
    )
    check_compose_nginx(report, services, server)

    # the server's environment
    known = svars.all
    for name, service in (("server", server), ("migrate", migrate)):
        unknown = sorted(set(env_mapping(service)) - known)
        report.check(not unknown, section, f"{name} environment uses only variables the server reads {unknown or ''}")
    server_env = env_mapping(server)
    missing = sorted(known - set(server_env) - set(NOT_WIRED_IN_COMPOSE))
    report.check(not missing, section, f"server environment wires every server variable {missing or ''}")
    # What the server gets when the env file leaves a variable unset must be config/default.toml's
    # value: an empty string is not "unset" for the server (an empty list setting means "none").
    for var in sorted(set(svars.overrides) & set(server_env)):
        dotted, _ = svars.overrides[var]
        if var in COMPOSE_DELIBERATE_DEFAULTS or defaults is None or not toml_has_path(defaults, dotted):
            continue
        value = server_env[var]
        m = INTERP_RE.fullmatch(value.replace("$$", "\0\0"))
        if m and m.group("op") in (":?", "?"):
            continue  # required: no default
        if m and m.group("op") not in (":-", "-"):
            report.fail(section, f"{var}: give ${{{m.group('var')}}} a default (${{{m.group('var')}:-...}})")
            continue
        fallback = (m.group("arg") if m else value).strip()
        actual = defaults
        for key in dotted.split("."):
            actual = actual[key]
        expected = ",".join(actual) if isinstance(actual, list) else str(actual)
        report.check(
            fallback == expected,
            section,
            f"{var} unset in the env file gives the server config/default.toml's {dotted} "
            f"(compose: '{fallback}', default.toml: '{expected}')",
        )

    # (b) every interpolated variable is documented
    section = "env-compose"
    referenced: dict[str, set[str]] = {}
    for string in walk_strings(compose):
        for m in interpolations(string):
            var = m.group("var") or m.group("bare")
            referenced.setdefault(var, set()).add(m.group("op") or "")
    report.check(bool(referenced), section, f"compose.yml interpolates {len(referenced)} variables")
    if doc is not None:
        for var in sorted(referenced):
            report.check(var in doc.documented, section, f"${{{var}}} is documented in .env.example")
    for m in interpolations(text):
        if m.group("bare"):
            report.fail(section, f"use ${{{m.group('bare')}}} rather than ${m.group('bare')} in compose.yml")


def check_compose_nginx(report: Report, services: dict, server: dict):
    """The nginx service: the shipped site file mounted, TLS files, ports 80/443, a fixed
    address that the instances trust, and it starts after healthy instances."""
    section = "compose"
    nginx = services.get("nginx") or {}
    image = str(nginx.get("image", ""))
    report.check(image.startswith("nginx:"), section, f"nginx runs the official nginx image ('{image}')")
    mounts = [str(v) for v in nginx.get("volumes") or []]
    report.check(
        any(m.split(":")[0].endswith("deploy/nginx/calls-platform.conf") and ":/etc/nginx/conf.d/" in m for m in mounts),
        section,
        "nginx mounts deploy/nginx/calls-platform.conf into /etc/nginx/conf.d/",
    )
    report.check(any(":/etc/nginx/tls" in m for m in mounts), section, "nginx mounts the TLS files on /etc/nginx/tls")
    published = " ".join(str(p) for p in nginx.get("ports") or [])
    report.check(
        re.search(r":80\b", published) is not None and re.search(r":443\b", published) is not None,
        section,
        f"nginx publishes ports 80 and 443 ({published})",
    )
    for name in SERVER_SERVICES:
        report.check(
            depends_condition(nginx, name) == "service_healthy",
            section,
            f"nginx waits for {name} to be healthy",
        )
    report.check(bool(healthcheck_text(nginx)), section, "nginx has a healthcheck")
    address = ((nginx.get("networks") or {}).get("default") or {}).get("ipv4_address")
    trusted_raw = env_mapping(server).get("TRUSTED_PROXIES", "")
    m = INTERP_RE.fullmatch(trusted_raw.replace("$$", "\0\0"))
    trusted_default = (m.group("arg") if m and m.group("arg") is not None else trusted_raw).strip()
    covered = False
    try:
        ip = ipaddress.ip_address(str(address))
        covered = any(
            ip in ipaddress.ip_network(entry.strip(), strict=False)
            for entry in trusted_default.split(",")
            if entry.strip()
        )
    except ValueError:
        covered = False
    report.check(
        covered,
        section,
        f"the instances trust nginx's fixed address (ipv4_address {address}, TRUSTED_PROXIES default '{trusted_default}')",
    )


# --------------------------------------------------------------------------------------------
# deploy/nginx/calls-platform.conf


def nginx_directives(text: str) -> list[tuple[tuple[str, ...], str, str]]:
    """Every simple directive as (enclosing blocks, name, arguments), comments removed. Blocks
    are named by their opening words ("upstream calls_platform", "server", "location /")."""
    out: list[tuple[tuple[str, ...], str, str]] = []
    stack: list[str] = []
    token = ""
    quoted = None
    cleaned_lines = []
    for line in text.splitlines():
        result, q = "", None
        for ch in line:
            if q:
                result += ch
                if ch == q:
                    q = None
            elif ch in "'\"":
                q = ch
                result += ch
            elif ch == "#":
                break
            else:
                result += ch
        cleaned_lines.append(result)
    for ch in "\n".join(cleaned_lines):
        if quoted:
            token += ch
            if ch == quoted:
                quoted = None
            continue
        if ch in "'\"":
            quoted = ch
            token += ch
        elif ch == "{":
            stack.append(" ".join(token.split()))
            token = ""
        elif ch == "}":
            stack.pop() if stack else None
            token = ""
        elif ch == ";":
            words = token.split(None, 1)
            if words:
                out.append((tuple(stack), words[0], words[1].strip() if len(words) > 1 else ""))
            token = ""
        else:
            token += ch
    return out


def check_nginx(root: Path, report: Report, compose_services: set[str]):
    section = "nginx"
    path = root / "deploy/nginx/calls-platform.conf"
    if not path.exists():
        report.fail(section, "deploy/nginx/calls-platform.conf is missing")
        return
    directives = nginx_directives(path.read_text())

    def values(name, block_prefix=None):
        return [
            args
            for blocks, n, args in directives
            if n == name and (block_prefix is None or any(b.startswith(block_prefix) for b in blocks))
        ]

    upstreams = {b for blocks, _, _ in directives for b in blocks if b.startswith("upstream ")}
    report.check(len(upstreams) == 1, section, f"one upstream block ({sorted(upstreams)})")
    upstream = next(iter(upstreams), "upstream ?").split()[-1]
    members = [a.split()[0] for a in values("server", "upstream ")]
    report.check(len(members) >= 2, section, f"the upstream lists two or more instances ({members})")
    for name in sorted(compose_services):
        report.check(
            any(m.split(":")[0] == name for m in members),
            section,
            f"the upstream lists compose's {name} ({members})",
        )
    keepalive = values("keepalive", "upstream ")
    report.check(bool(keepalive) and keepalive[0].isdigit() and int(keepalive[0]) > 0, section, f"upstream keepalive set ({keepalive})")
    idle = [duration_secs(v) for v in values("keepalive_timeout", "upstream ")]
    report.check(
        bool(idle) and idle[0] is not None and idle[0] < SERVER_KEEP_ALIVE_SECS,
        section,
        f"upstream keepalive_timeout ({values('keepalive_timeout', 'upstream ')}) is below the server's "
        f"{SERVER_KEEP_ALIVE_SECS} s keep-alive (nginx closes idle connections, not the server)",
    )
    protocols = values("ssl_protocols")
    report.check(
        bool(protocols) and all(set(p.split()) == {"TLSv1.2", "TLSv1.3"} for p in protocols),
        section,
        f"ssl_protocols TLSv1.2 TLSv1.3 only ({protocols})",
    )
    report.check(bool(values("ssl_certificate")) and bool(values("ssl_certificate_key")), section, "a certificate and key are configured")
    listens = values("listen")
    report.check(any("443" in l and "ssl" in l for l in listens), section, "a server listens on 443 with ssl")
    redirects = values("return")
    report.check(
        any(re.match(r"(301|308)\s+https://\$host\$request_uri", r) for r in redirects),
        section,
        f"plain HTTP is redirected to https://$host$request_uri ({redirects})",
    )
    report.check(
        any(p.startswith(f"http://{upstream}") for p in values("proxy_pass")),
        section,
        f"requests are proxied to the upstream ({values('proxy_pass')})",
    )
    headers = {a.split(None, 1)[0].lower(): (a.split(None, 1) + [""])[1].strip() for a in values("proxy_set_header")}
    report.check(values("proxy_http_version") == ["1.1"], section, "proxy_http_version 1.1 (keep-alive to the instances)")
    report.check(headers.get("connection") in ('""', "''"), section, 'proxy_set_header Connection "" (keep-alive to the instances)')
    report.check(headers.get("host") == "$host", section, "proxy_set_header Host $host")
    report.check(
        headers.get("x-forwarded-for") in ("$proxy_add_x_forwarded_for", "$remote_addr"),
        section,
        f"proxy_set_header X-Forwarded-For with the client's address ({headers.get('x-forwarded-for')})",
    )
    report.check(headers.get("x-forwarded-proto") == "$scheme", section, "proxy_set_header X-Forwarded-Proto $scheme")
    report.check(headers.get("forwarded") in ('""', "''"), section, 'a client\'s Forwarded header is dropped (proxy_set_header Forwarded "")')
    next_upstream = " ".join(values("proxy_next_upstream")).split()
    report.check(
        {"error", "timeout", "http_502", "http_503"} <= set(next_upstream),
        section,
        f"proxy_next_upstream error timeout http_502 http_503 ({next_upstream})",
    )
    report.check("non_idempotent" not in next_upstream, section, "non-idempotent requests are never retried (no non_idempotent)")
    tries = values("proxy_next_upstream_tries")
    report.check(bool(tries) and tries[0].isdigit() and int(tries[0]) >= 2, section, f"proxy_next_upstream_tries set ({tries})")
    report.check(bool(values("client_max_body_size")), section, "client_max_body_size set")
    for name in ("proxy_connect_timeout", "proxy_send_timeout", "proxy_read_timeout"):
        report.check(bool(values(name)), section, f"{name} set")
    read = [duration_secs(v) for v in values("proxy_read_timeout")]
    report.check(
        bool(read) and read[0] is not None and read[0] > SLOWEST_REQUEST_SECS,
        section,
        f"proxy_read_timeout ({values('proxy_read_timeout')}) exceeds the slowest request ({SLOWEST_REQUEST_SECS} s)",
    )


# calls-server's idle keep-alive timeout (actix-http's default, 5 s).
SERVER_KEEP_ALIVE_SECS = 5
# A call initiate waits up to voip.start_timeout_secs (10 s) for the provider.
SLOWEST_REQUEST_SECS = 10


# --------------------------------------------------------------------------------------------
# .env.example against the server




def check_env_example(root: Path, report: Report, svars: ServerVars, doc: EnvDoc, compose_vars: set[str]):
    section = "env-server"
    for var in sorted(svars.all):
        report.check(var in doc.documented, section, f"{var} (read by the server) is documented in .env.example")
    for var in sorted(doc.documented):
        comment = doc.comments.get(var, "")
        report.check(bool(comment), section, f"{var} has a comment in .env.example")
        if comment:
            report.check("default" in comment.lower(), section, f"{var}'s comment names its default")
    stray = sorted(doc.documented - svars.all - compose_vars)
    report.check(not stray, section, f".env.example documents no variable that nothing reads {stray or ''}")
    report.check(not doc.duplicates, section, f"no variable is documented twice {doc.duplicates or ''}")
    for var in sorted(svars.integer_vars() & set(doc.active)):
        report.check(
            re.fullmatch(r"-?\d+", doc.active[var].strip()) is not None,
            section,
            f"{var}={doc.active[var]} is an integer",
        )
    # The setting paths of the table exist in default.toml, and the defaults .env.example names
    # ("Default: X") are those of default.toml (lists only when documented as empty).
    defaults = load_toml(root / "config/default.toml", report, section)
    if defaults is not None:
        bad = sorted(f"{v} -> {p}" for v, (p, _) in svars.overrides.items() if not toml_has_path(defaults, p))
        report.check(not bad, section, f"every OVERRIDES setting path exists in config/default.toml {bad or ''}")
        for var, (dotted, _) in sorted(svars.overrides.items()):
            m = re.search(r"\bDefault: (\S+)", doc.comments.get(var, ""))
            if not m or not toml_has_path(defaults, dotted):
                continue
            stated = m.group(1).rstrip(".,;:")
            stated = "" if stated.lower() in ("empty", "none", "unset", "off") else stated
            actual = defaults
            for key in dotted.split("."):
                actual = actual[key]
            if isinstance(actual, list):
                if stated == "":
                    report.check(actual == [], section, f"{var}: .env.example says empty, {dotted} is {actual}")
                continue
            report.check(
                stated == str(actual),
                section,
                f"{var}: the default in .env.example ('{stated}') is config/default.toml's {dotted} ('{actual}')",
            )


# --------------------------------------------------------------------------------------------
# Dockerfile


@dataclass
class Instruction:
    keyword: str
    args: str
    line: int


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)


def parse_dockerfile(text: str) -> list[Stage]:
    logical: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not buffer):
            continue  # comments (also inside continuations) and blank lines
        if not buffer:
            start = number
        if raw.rstrip().endswith("\\"):
            buffer += raw.rstrip()[:-1] + " "
            continue
        buffer += raw
        logical.append((start, buffer.strip()))
        buffer = ""
    if buffer:
        logical.append((start, buffer.strip()))
    stages: list[Stage] = []
    for number, line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        args = args.strip()
        if keyword == "FROM":
            tokens = [t for t in args.split() if not t.startswith("--")]
            name = tokens[2] if len(tokens) >= 3 and tokens[1].upper() == "AS" else None
            stages.append(Stage(tokens[0] if tokens else "", name))
        elif stages:
            stages[-1].instructions.append(Instruction(keyword, args, number))
    return stages


def copy_parts(args: str) -> tuple[dict[str, str], list[str], str]:
    """(flags, sources, destination) of a COPY/ADD."""
    flags: dict[str, str] = {}
    rest = args
    while rest.startswith("--"):
        token, _, rest = rest.partition(" ")
        key, _, value = token[2:].partition("=")
        flags[key] = value
        rest = rest.strip()
    if rest.startswith("["):
        import json  # noqa: PLC0415

        items = json.loads(rest)
    else:
        items = rest.split()
    return flags, items[:-1], items[-1] if items else ""


INCLUDE_RE = re.compile(r'\b(include_str|include_bytes|embed_migrations)!\(\s*"(?P<path>[^"]+)"\s*\)')


def build_time_inputs(root: Path) -> dict[str, str]:
    """Top-level paths outside crates/ that a crate reads at compile time -> where."""
    found: dict[str, str] = {}
    for source in sorted((root / "crates").glob("*/src/**/*.rs")):
        crate_dir = source.relative_to(root / "crates").parts[0]
        for m in INCLUDE_RE.finditer(source.read_text()):
            base = (root / "crates" / crate_dir) if m.group(1) == "embed_migrations" else source.parent
            target = Path(os.path.normpath(base / m.group("path")))
            try:
                rel = target.relative_to(root)
            except ValueError:
                continue
            if rel.parts and rel.parts[0] != "crates":
                found.setdefault(rel.parts[0], f"{source.relative_to(root)} ({m.group(1)}!)")
    return found


def dockerignore_patterns(root: Path) -> list[str]:
    path = root / ".dockerignore"
    if not path.exists():
        return []
    return [
        line.strip()
        for line in path.read_text().splitlines()
        if line.strip() and not line.strip().startswith("#") and not line.strip().startswith("!")
    ]


def ignored(patterns: list[str], rel: str) -> bool:
    rel = rel.strip("/")
    candidates = [rel]
    parts = rel.split("/")
    candidates += ["/".join(parts[:i]) for i in range(1, len(parts))]
    for pattern in patterns:
        pat = pattern.strip("/")
        if pat.startswith("**/"):
            pat_any = pat[3:]
            if any(fnmatch.fnmatch(c.split("/")[-1], pat_any) or fnmatch.fnmatch(c, pat_any) for c in candidates):
                return True
        if any(fnmatch.fnmatch(c, pat) for c in candidates):
            return True
    return False


def check_dockerfile(root: Path, report: Report, svars: ServerVars, defaults: dict | None):
    section = "dockerfile"
    path = root / "docker/Dockerfile"
    if not path.exists():
        report.fail(section, "docker/Dockerfile is missing")
        return
    stages = parse_dockerfile(path.read_text())
    report.check(len(stages) >= 2, section, f"multi-stage build ({len(stages)} FROM lines)")
    if not stages:
        return
    final = stages[-1]
    builders = [s for s in stages[:-1] if "rust:" in s.image]
    report.check(bool(builders), section, "a build stage starts from a rust image")
    report.check(
        final.image.startswith("debian:bookworm-slim"),
        section,
        f"runtime stage is debian:bookworm-slim ('{final.image}')",
    )

    def final_all(keyword):
        return [i for i in final.instructions if i.keyword == keyword]

    copies_from = [i for i in final_all("COPY") if "--from=" in i.args]
    report.check(bool(copies_from), section, "runtime stage copies the binary from a build stage")
    users = final_all("USER")
    user = users[-1].args.split(":")[0].strip() if users else ""
    args = {i.args.split("=")[0].strip(): i.args.partition("=")[2].strip() for i in final_all("ARG")}
    resolved = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), user)
    report.check(
        bool(users) and resolved not in ("root", "0", ""),
        section,
        f"runtime stage runs as a non-root USER ('{users[-1].args if users else ''}' -> '{resolved}')",
    )
    health = final_all("HEALTHCHECK")
    report.check(
        bool(health) and "/system/health" in health[-1].args and "NONE" not in health[-1].args.upper().split(),
        section,
        "HEALTHCHECK probes /system/health",
    )
    port = str(((defaults or {}).get("server") or {}).get("port", 8080))
    exposed = " ".join(i.args for i in final_all("EXPOSE")).replace("/tcp", "").split()
    report.check(port in exposed, section, f"EXPOSE {port} (server.port default)")
    entry = final_all("ENTRYPOINT")
    cmd = final_all("CMD")
    report.check(
        bool(entry) and entry[-1].args.replace(" ", "") == '["calls-server"]',
        section,
        'ENTRYPOINT ["calls-server"]',
    )
    report.check(bool(cmd) and cmd[-1].args.replace(" ", "") == '["serve"]', section, 'CMD ["serve"]')
    env_keys = set()
    for i in final_all("ENV"):
        env_keys |= set(re.findall(r"(?:^|\s)([A-Z][A-Z0-9_]*)=", i.args))
    clash = sorted(env_keys & svars.all)
    report.check(
        not clash,
        section,
        f"runtime image sets no server variable with ENV (it would override CALLS_CONFIG) {clash or ''}",
    )

    # The dependency layer: a cargo build before the crates' sources are copied, then a touch.
    for stage in builders:
        steps = stage.instructions
        crates_copy = next(
            (
                n
                for n, i in enumerate(steps)
                if i.keyword in ("COPY", "ADD")
                and "--from=" not in i.args
                and any(s.rstrip("/") in ("crates", ".") for s in copy_parts(i.args)[1])
            ),
            None,
        )
        builds = [n for n, i in enumerate(steps) if i.keyword == "RUN" and "cargo build" in i.args]
        if crates_copy is None or not builds:
            continue
        report.check(
            builds[0] < crates_copy,
            section,
            f"stage '{stage.name}': dependencies are built (cargo build) before the sources are copied",
        )
        report.check(
            any("--locked" in steps[n].args for n in builds),
            section,
            f"stage '{stage.name}': cargo build uses --locked",
        )
        report.check(
            any(n > crates_copy and "touch" in steps[n].args for n in builds),
            section,
            f"stage '{stage.name}': sources are touched before the real build (stub artifacts are not reused)",
        )
        copied = set()
        for i in steps:
            if i.keyword in ("COPY", "ADD") and "from" not in copy_parts(i.args)[0]:
                copied |= {s.rstrip("/").removeprefix("./") for s in copy_parts(i.args)[1]}
        for top, where in sorted(build_time_inputs(root).items()):
            report.check(
                top in copied or "." in copied,
                section,
                f"stage '{stage.name}' copies {top}/ (read at compile time by {where})",
            )
        break
    else:
        report.fail(section, "no build stage runs `cargo build` before copying crates/ (dependency layer)")

    # Workspace members must be where the planner looks for manifests.
    manifest = load_toml(root / "Cargo.toml", report, section) or {}
    members = (manifest.get("workspace") or {}).get("members") or []
    report.check(
        all(m == "crates/*" or m.startswith("crates/") for m in members),
        section,
        f"workspace members are under crates/, where the planner stage finds manifests ({members})",
    )

    # .dockerignore
    patterns = dockerignore_patterns(root)
    report.check(bool(patterns), section, ".dockerignore exists")
    for needed in ("target", ".git", ".env"):
        report.check(ignored(patterns, needed), section, f".dockerignore excludes {needed}")
    sources = set()
    for stage in stages:
        for i in stage.instructions:
            if i.keyword in ("COPY", "ADD") and "from" not in copy_parts(i.args)[0]:
                sources |= {s.removeprefix("./") for s in copy_parts(i.args)[1]}
    for src in sorted(sources - {"."}):
        report.check(not ignored(patterns, src), section, f".dockerignore keeps {src}, which the Dockerfile copies")
    for top in sorted(build_time_inputs(root)):
        report.check(not ignored(patterns, top), section, f".dockerignore keeps {top}/, read at compile time")


# --------------------------------------------------------------------------------------------
# production.toml


def compare_keys(default: dict, overlay: dict, prefix: str, report: Report, section: str) -> int:
    problems = 0
    for key, value in overlay.items():
        dotted = f"{prefix}{key}"
        if key not in default:
            report.fail(section, f"config/production.toml: unknown key {dotted} (not in config/default.toml)")
            problems += 1
            continue
        expected = default[key]
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                report.fail(section, f"config/production.toml: {dotted} must be a table")
                problems += 1
            else:
                problems += compare_keys(expected, value, f"{dotted}.", report, section)
        elif type(value) is not type(expected):
            report.fail(
                section,
                f"config/production.toml: {dotted} is a {type(value).__name__}, "
                f"config/default.toml has a {type(expected).__name__}",
            )
            problems += 1
    return problems


def check_production_toml(root: Path, report: Report):
    section = "config"
    default = load_toml(root / "config/default.toml", report, section)
    overlay = load_toml(root / "config/production.toml", report, section)
    if default is None or overlay is None:
        return
    problems = compare_keys(default, overlay, "", report, section)
    if not problems:
        report.ok(section, "config/production.toml uses only keys of config/default.toml, with the same types")


# --------------------------------------------------------------------------------------------
# systemd unit (static; `systemd-analyze verify` is run by hand, see docs/OPERATIONS.md)


def check_systemd(root: Path, report: Report, defaults: dict | None):
    section = "systemd"
    path = root / "docs/deploy/calls-server.service"
    if not path.exists():
        report.fail(section, "docs/deploy/calls-server.service is missing")
        return
    entries: dict[str, list[str]] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            key, _, value = line.partition("=")
            entries.setdefault(key.strip(), []).append(value.strip())

    def has(key, predicate=lambda v: True):
        return any(predicate(v) for v in entries.get(key, []))

    report.check(has("DynamicUser", lambda v: v == "yes") or has("User"), section, "runs as DynamicUser or a dedicated User")
    report.check(has("NoNewPrivileges", lambda v: v == "yes"), section, "NoNewPrivileges=yes")
    report.check(has("ProtectSystem", lambda v: v == "strict"), section, "ProtectSystem=strict")
    report.check(has("PrivateTmp", lambda v: v == "yes"), section, "PrivateTmp=yes")
    report.check(has("EnvironmentFile", lambda v: "/etc/calls-server/env" in v), section, "EnvironmentFile=/etc/calls-server/env")
    report.check(has("ExecStartPre", lambda v: v.split()[-1] == "migrate"), section, "ExecStartPre runs `calls-server migrate`")
    report.check(has("ExecStart", lambda v: v.split()[-1] == "serve"), section, "ExecStart runs `calls-server serve`")
    report.check(has("Restart", lambda v: v == "on-failure"), section, "Restart=on-failure")
    report.check(has("LimitNOFILE"), section, "LimitNOFILE is set")
    shutdown = ((defaults or {}).get("server") or {}).get("shutdown_timeout_secs", 10)
    stop = [duration_secs(v if re.search(r"[a-z]$", v) else f"{v}s") for v in entries.get("TimeoutStopSec", [])]
    report.check(
        bool(stop) and stop[-1] is not None and stop[-1] > shutdown,
        section,
        f"TimeoutStopSec ({entries.get('TimeoutStopSec')}) exceeds the {shutdown} s graceful shutdown",
    )


# --------------------------------------------------------------------------------------------
# Optional: Compose's own validation, when a Compose CLI is installed


def compose_config(root: Path, report: Report):
    section = "compose-cli"
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        probe = subprocess.run([*command, "version"], capture_output=True, text=True)
        if probe.returncode != 0:
            continue
        with tempfile.NamedTemporaryFile("w", suffix=".env", delete=False) as env:
            text = (root / ".env.example").read_text()
            text = re.sub(r"(?m)^POSTGRES_PASSWORD=.*$", "POSTGRES_PASSWORD=check-only", text)
            text = re.sub(r"(?m)^JWT_SECRET=.*$", "JWT_SECRET=" + "x" * 48, text)
            env.write(text)
        try:
            result = subprocess.run(
                [*command, "-f", str(root / "docker/compose.yml"), "--env-file", env.name, "config", "--quiet"],
                capture_output=True,
                text=True,
            )
        finally:
            os.unlink(env.name)
        report.check(
            result.returncode == 0,
            section,
            f"`{' '.join(command)} config` accepts compose.yml {result.stderr.strip()[:500]}",
        )
        return
    print(f"  --   [{section}] no Docker Compose CLI here: compose.yml was checked by this script only")


# --------------------------------------------------------------------------------------------


def run_checks(root: Path, verbose: bool = False, run_cli: bool = False) -> Report:
    report = Report(verbose=verbose)
    svars = server_vars(root, report)
    doc = None
    env_path = root / ".env.example"
    if env_path.exists():
        doc = parse_env_example(env_path)
    else:
        report.fail("env-server", ".env.example is missing")
    defaults = load_toml(root / "config/default.toml", report, "config")
    compose_vars: set[str] = set()
    compose_path = root / "docker/compose.yml"
    if compose_path.exists():
        compose_vars = {m.group("var") or m.group("bare") for m in interpolations(compose_path.read_text())}
    check_compose(root, report, svars, doc, defaults)
    if doc is not None:
        check_env_example(root, report, svars, doc, compose_vars)
    check_dockerfile(root, report, svars, defaults)
    check_nginx(root, report, set(SERVER_SERVICES))
    check_production_toml(root, report)
    check_systemd(root, report, defaults)
    if run_cli:
        compose_config(root, report)
    return report


# Each mutation: (description, file, transform, section, text expected in that section's failure).
def _remove_line(pattern):
    return lambda text: re.sub(pattern, "", text, count=1, flags=re.M)


MUTATIONS = [
    # .env.example
    ("SERVER_PORT removed from .env.example", ".env.example", _remove_line(r"^SERVER_PORT=.*\n"), "env-server", "SERVER_PORT"),
    ("DATABASE_URL removed from .env.example", ".env.example", _remove_line(r"^# DATABASE_URL=.*\n"), "env-server", "DATABASE_URL"),
    ("METRICS_ADDR removed from .env.example", ".env.example", _remove_line(r"^# METRICS_ADDR=.*\n"), "env-compose", "METRICS_ADDR"),
    ("CALLS_IMAGE removed from .env.example", ".env.example", _remove_line(r"^# CALLS_IMAGE=.*\n"), "env-compose", "CALLS_IMAGE"),
    ("a variable nothing reads in .env.example", ".env.example", lambda t: t + "\n# Unused. Default: none.\nNOT_READ_BY_ANYONE=1\n", "env-server", "NOT_READ_BY_ANYONE"),
    ("a wrong default in .env.example", ".env.example", lambda t: t.replace("Default: 8080.", "Default: 9090.", 1), "env-server", "SERVER_PORT"),
    ("a variable without a comment", ".env.example", lambda t: t.replace("# Calls a user may start per day; 0 means no cap. Default: 0.\n", "", 1), "env-server", "VOIP_MAX_CALLS_PER_DAY"),
    (
        "a new variable in the OVERRIDES table",
        "crates/calls-server/src/settings/env.rs",
        lambda t: t.replace('("SERVER_HOST", "server.host", Kind::Text),', '("SERVER_HOST", "server.host", Kind::Text),\n    ("NEW_SETTING_X", "server.host", Kind::Text),', 1),
        "env-server",
        "NEW_SETTING_X",
    ),
    # Dockerfile and .dockerignore
    ("HEALTHCHECK removed", "docker/Dockerfile", lambda t: re.sub(r"(?ms)^HEALTHCHECK .*?\|\| exit 1\n", "", t), "dockerfile", "HEALTHCHECK"),
    ("USER root", "docker/Dockerfile", lambda t: re.sub(r"(?m)^USER .*$", "USER root", t), "dockerfile", "non-root"),
    ("single stage", "docker/Dockerfile", lambda t: t[t.index("FROM debian:bookworm-slim"):], "dockerfile", "multi-stage"),
    ("migrations/ not copied", "docker/Dockerfile", _remove_line(r"^COPY migrations .*\n"), "dockerfile", "migrations"),
    ("EXPOSE removed", "docker/Dockerfile", _remove_line(r"^EXPOSE .*\n"), "dockerfile", "EXPOSE"),
    ("no dependency layer", "docker/Dockerfile", _remove_line(r"^RUN cargo build --release --locked --bin calls-server\n"), "dockerfile", "before the sources"),
    ("ENV SERVER_PORT in the image", "docker/Dockerfile", lambda t: t.replace("EXPOSE 8080", "ENV SERVER_PORT=8080\nEXPOSE 8080", 1), "dockerfile", "SERVER_PORT"),
    (".dockerignore lets .git in", ".dockerignore", _remove_line(r"^\.git/\n"), "dockerfile", ".git"),
    # production.toml
    ("typo in production.toml", "config/production.toml", lambda t: t.replace("workers = 0", "wrokers = 0", 1), "config", "wrokers"),
    ("wrong type in production.toml", "config/production.toml", lambda t: t.replace("port = 8080", 'port = "8080"', 1), "config", "server.port"),
    # compose.yml
    ("server built from another Dockerfile", "docker/compose.yml", lambda t: t.replace("dockerfile: docker/Dockerfile", "dockerfile: Dockerfile", 1), "compose", "docker/Dockerfile"),
    (
        "postgres healthcheck replaced",
        "docker/compose.yml",
        lambda t: re.sub(r'(?m)^      test: \["CMD-SHELL", "pg_isready.*\n', '      test: ["CMD", "true"]\n', t, count=1),
        "compose",
        "pg_isready",
    ),
    ("undocumented ${VAR} in compose.yml", "docker/compose.yml", lambda t: t.replace("${LOG_LEVEL:-info}", "${LOG_LEVEL_TYPO:-info}", 1), "env-compose", "LOG_LEVEL_TYPO"),
    ("misspelt server variable in compose.yml", "docker/compose.yml", lambda t: t.replace("      VOIP_MAX_CALLS_PER_DAY:", "      VOIP_MAX_CALL_PER_DAY:", 1), "compose", "VOIP_MAX_CALL_PER_DAY"),
    ("blocked prefixes passed as empty when unset", "docker/compose.yml", lambda t: re.sub(r"\$\{VOIP_BLOCKED_PREFIXES-[^}]*\}", "${VOIP_BLOCKED_PREFIXES:-}", t), "compose", "VOIP_BLOCKED_PREFIXES"),
    ("migrate dependency dropped", "docker/compose.yml", lambda t: t.replace("service_completed_successfully", "service_started", 1), "compose", "migrate"),
    ("named volume not declared", "docker/compose.yml", lambda t: t.replace("\nvolumes:\n  pgdata:\n", "\n", 1), "compose", "named volume"),
    # compose: nginx and the instances
    ("an instance published directly", "docker/compose.yml", lambda t: t.replace('    expose: ["8080"]', '    ports: ["8080:8080"]', 1), "compose", "publish no port"),
    ("nginx not trusted by the instances", "docker/compose.yml", lambda t: t.replace("${TRUSTED_PROXIES:-172.30.0.10}", "${TRUSTED_PROXIES:-172.30.0.99}", 1), "compose", "trust nginx"),
    ("nginx without the shipped site", "docker/compose.yml", lambda t: t.replace("../deploy/nginx/calls-platform.conf:", "./nginx.conf:", 1), "compose", "calls-platform.conf"),
    ("the second instance differs", "docker/compose.yml", lambda t: t.replace("  server-2:\n    <<: *server\n", "  server-2:\n    <<: *server\n    init: false\n", 1), "compose", "exactly as"),
    # deploy/nginx/calls-platform.conf
    ("upstream without server-2", "deploy/nginx/calls-platform.conf", _remove_line(r"^\s*server server-2:8080.*\n"), "nginx", "server-2"),
    ("upstream without keepalive", "deploy/nginx/calls-platform.conf", _remove_line(r"^\s*keepalive 32;\n"), "nginx", "keepalive set"),
    ("upstream idle timeout above the server's", "deploy/nginx/calls-platform.conf", lambda t: t.replace("keepalive_timeout 4s;", "keepalive_timeout 60s;", 1), "nginx", "below the server"),
    ("TLS 1.0 allowed", "deploy/nginx/calls-platform.conf", lambda t: t.replace("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1 TLSv1.2 TLSv1.3;", 1), "nginx", "ssl_protocols"),
    ("no HTTPS redirect", "deploy/nginx/calls-platform.conf", lambda t: t.replace("return 308 https://$host$request_uri;", "proxy_pass http://calls_platform;", 1), "nginx", "redirected"),
    ("non-idempotent requests retried", "deploy/nginx/calls-platform.conf", lambda t: t.replace("proxy_next_upstream error timeout http_502 http_503;", "proxy_next_upstream error timeout http_502 http_503 non_idempotent;", 1), "nginx", "non_idempotent"),
    ("X-Forwarded-For not set", "deploy/nginx/calls-platform.conf", _remove_line(r"^\s*proxy_set_header X-Forwarded-For .*\n"), "nginx", "X-Forwarded-For"),
    ("X-Forwarded-Proto not set", "deploy/nginx/calls-platform.conf", _remove_line(r"^\s*proxy_set_header X-Forwarded-Proto .*\n"), "nginx", "X-Forwarded-Proto"),
    ("client Forwarded passed on", "deploy/nginx/calls-platform.conf", _remove_line(r'^\s*proxy_set_header Forwarded "";\n'), "nginx", "Forwarded"),
    ("no keep-alive to the instances", "deploy/nginx/calls-platform.conf", _remove_line(r"^\s*proxy_http_version 1.1;\n"), "nginx", "proxy_http_version"),
    ("read timeout below the slowest request", "deploy/nginx/calls-platform.conf", lambda t: t.replace("proxy_read_timeout 30s;", "proxy_read_timeout 5s;", 1), "nginx", "proxy_read_timeout"),
    ("no body limit", "deploy/nginx/calls-platform.conf", _remove_line(r"^\s*client_max_body_size .*\n"), "nginx", "client_max_body_size"),
    # systemd
    ("systemd unit without ExecStartPre", "docs/deploy/calls-server.service", _remove_line(r"^ExecStartPre=.*\n"), "systemd", "ExecStartPre"),
    ("systemd stop timeout too short", "docs/deploy/calls-server.service", lambda t: t.replace("TimeoutStopSec=15s", "TimeoutStopSec=5", 1), "systemd", "TimeoutStopSec"),
]


def self_test(root: Path) -> int:
    print("self-test: the checks pass on a copy of the tree, then fail on each broken copy")
    ignore = shutil.ignore_patterns("target", ".git", ".venv*", "data", "*.db*", "bench")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="check-deploy-") as tmp:
        base = Path(tmp) / "tree"
        shutil.copytree(root, base, ignore=ignore)
        clean = run_checks(base)
        if clean.failures:
            print("  FAIL the unmodified copy does not pass:")
            for section, message in clean.failures:
                print(f"       [{section}] {message}")
            return 1
        print(f"  ok   unmodified copy passes ({clean.passes} checks)")
        for description, rel, transform, section, expected in MUTATIONS:
            target = base / rel
            original = target.read_text()
            mutated = transform(original)
            if mutated == original:
                print(f"  FAIL mutation '{description}' changed nothing in {rel} (update the self-test)")
                failures += 1
                continue
            target.write_text(mutated)
            try:
                report = run_checks(base)
            finally:
                target.write_text(original)
            hits = [f"[{s}] {m}" for s, m in report.failures if s == section and expected in m]
            if hits:
                print(f"  ok   {description}: caught ({hits[0]})")
            else:
                failures += 1
                got = "; ".join(f"[{s}] {m}" for s, m in report.failures) or "no failure"
                print(f"  FAIL {description}: not caught (expected [{section}] '{expected}', got: {got})")
    print(f"self-test: {len(MUTATIONS) - failures} passed, {failures} failed")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=SCRIPT_ROOT, help="repository root to check")
    parser.add_argument("--self-test", action="store_true", help="check that broken files are caught")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every check, not only failures")
    options = parser.parse_args()
    root = options.root.resolve()
    if options.self_test:
        return self_test(root)
    print(f"check-deploy-files: {root}")
    report = run_checks(root, verbose=options.verbose, run_cli=True)
    sections = sorted(set(report.passed) | {s for s, _ in report.failures})
    for section in sections:
        failed = sum(1 for s, _ in report.failures if s == section)
        status = "FAIL" if failed else "ok  "
        print(f"  {status} {section:<12} {report.passed.get(section, 0)} passed, {failed} failed")
    if report.failures:
        print(f"\ncheck-deploy-files: {len(report.failures)} problem(s):")
        for section, message in report.failures:
            print(f"  [{section}] {message}")
        return 1
    print(f"check-deploy-files: all {report.passes} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
