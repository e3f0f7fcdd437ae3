"""The project's semgrep rules catch what they are for (and the code base is clean)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SEMGREP = ROOT / ".venv" / "bin" / "semgrep"

BAD_CODE = {
    "grants/money.py": "from django.db import models\n"
    "class Pay(models.Model):\n    amount = models.FloatField()\n",
    "portal/page.py": "from django.utils.safestring import mark_safe\n"
    "def show(text):\n    return mark_safe(text)\n",
    "portal/forms_all.py": "class Meta:\n    model = object\n    fields = '__all__'\n",
    "portal/perms.py": "from guardian.shortcuts import get_objects_for_user\n"
    "def mine(user):\n    return get_objects_for_user(user, 'x.view_y')\n",
    "grants/pay.py": "def send(client, params):\n"
    "    return client.v1.transfers.create(params=params)\n",
    "templates/page.html": "<p>{{ answer|safe }}</p>\n",
}
RULES = {
    "no-float-for-money",
    "no-mark-safe",
    "no-all-fields",
    "object-permissions-never-fall-back-to-global",
    "stripe-transfers-carry-an-idempotency-key",
    "no-safe-filter-in-templates",
}


def semgrep(target: Path) -> subprocess.CompletedProcess:
    executable = str(SEMGREP) if SEMGREP.exists() else shutil.which("semgrep")
    if executable is None:
        pytest.skip("semgrep is not installed")
    env = {**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0"}
    return subprocess.run(
        [
            executable,
            "scan",
            "--config",
            str(ROOT / ".semgrep"),
            "--metrics=off",
            "--json",
            "--quiet",
            str(target),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=target,
        timeout=300,
        check=False,
    )


def test_each_rule_catches_its_mistake(tmp_path):
    import json

    for name, text in BAD_CODE.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    result = semgrep(tmp_path)
    found = {
        r["check_id"].rsplit(".", 1)[-1] for r in json.loads(result.stdout)["results"]
    }
    assert found == RULES
