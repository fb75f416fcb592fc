"""`make audit`: the runtime lock (requirements.txt) against known vulnerabilities, with
pip-audit, through the first vulnerability service this machine reaches:

1. PyPI's JSON API per version (``/pypi/<name>/<version>/json``, its ``vulnerabilities``),
   pip-audit's default;
2. OSV (``api.osv.dev``), the same advisories and more.

When one answers, pip-audit runs with ``--strict``: a known vulnerability, or a package it
could not check, fails the command. When neither answers (a closed network, or a PyPI mirror
without the per-version API), it says so and what it tried, and exits 0, so that CI stays green
on a closed network; ``AUDIT_REQUIRED=1`` makes that case fail too (a release pipeline with
network access should set it).
"""

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.txt"
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", re.MULTILINE)
TIMEOUT = 15


def _answers(request: urllib.request.Request) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            json.load(response)
            return True, f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:  # unreachable, refused, timed out, not JSON
        return False, f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"


def pypi(name: str, version: str) -> tuple[bool, str]:
    url = f"https://pypi.org/pypi/{name}/{version}/json"
    ok, why = _answers(urllib.request.Request(url))
    return ok, f"{url}: {why}"


def osv(name: str, version: str) -> tuple[bool, str]:
    url = "https://api.osv.dev/v1/query"
    query = {"package": {"name": name, "ecosystem": "PyPI"}, "version": version}
    request = urllib.request.Request(
        url, data=json.dumps(query).encode(), headers={"Content-Type": "application/json"}
    )
    ok, why = _answers(request)
    return ok, f"{url}: {why}"


def main() -> int:
    name, version = PIN.search(LOCK.read_text()).groups()
    tried = []
    for service, probe in (("pypi", pypi), ("osv", osv)):
        ok, report = probe(name, version)
        tried.append(report)
        if ok:
            print(f"Auditing {LOCK.name} with pip-audit against {service} ({report}).")
            command = [
                str(Path(sys.executable).parent / "pip-audit"),
                "--strict", "--disable-pip", "--require-hashes", "--progress-spinner", "off",
                "--vulnerability-service", service, "-r", str(LOCK),
            ]  # fmt: skip
            return subprocess.call(command)  # noqa: S603  (our own command line)
    print(
        "NOT AUDITED: no vulnerability service is reachable from this machine, so the locked "
        "packages were not checked against known vulnerabilities. Tried:",
        *(f"  - {report}" for report in tried),
        "Run `make audit` where PyPI or OSV is reachable (AUDIT_REQUIRED=1 makes this a failure).",
        sep="\n",
    )
    return 1 if os.environ.get("AUDIT_REQUIRED") == "1" else 0


if __name__ == "__main__":
    sys.exit(main())
