"""A Python client generated from the OpenAPI document compiles and imports (issue 13, item 7).

openapi-python-client (a dev dependency) turns the schema into a typed httpx client: every
operation a module, every component an attrs class. A schema construct the generator cannot
express (an unnamed enum, a broken $ref, a response without a schema) shows up here as a warning
or an import error, so clients of the ERP side keep being generatable. Takes about 15 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

# The two responses the generator cannot type, both deliberate: a quotation's PDF download and
# inbound mail posted as raw RFC 822 bytes (the JSON form of the same operation is generated).
EXPECTED_WARNINGS = {
    "WARNING parsing GET /api/v1/support/b2b/quotations/{id}/pdf/ within v1.",
    "WARNING parsing POST /api/v1/support/inbound-mail/ within v1.",
}


def test_a_python_client_generated_from_the_schema_compiles_and_imports(tmp_path):
    bindir = Path(sys.executable).parent
    generator = bindir / "openapi-python-client"
    assert generator.exists(), "pip install -e '.[dev]' (openapi-python-client is a dev dependency)"
    schema = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(schema))
    out = tmp_path / "crossborder_client"
    env = {**os.environ, "PATH": f"{bindir}:{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(generator), "generate", "--path", str(schema), "--meta", "none",
         "--output-path", str(out)],
        capture_output=True, text=True, timeout=180, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    warnings = {line for line in done.stdout.splitlines() if line.startswith("WARNING")}
    assert warnings <= EXPECTED_WARNINGS, done.stdout
    operations = list((out / "api" / "v1").glob("v1_*.py"))
    assert len(operations) >= 100
    check = (
        "import compileall, importlib, pathlib, sys\n"
        "root = pathlib.Path('crossborder_client')\n"
        "assert compileall.compile_dir(root, quiet=1)\n"
        "for path in sorted(root.rglob('*.py')):\n"
        "    name = '.'.join(path.with_suffix('').parts).removesuffix('.__init__')\n"
        "    importlib.import_module(name)\n"
        "from crossborder_client import AuthenticatedClient\n"
        "from crossborder_client.api.v1 import v1_products_list, v1_products_partial_update\n"
        "from crossborder_client.models import PaginatedProductList\n"
        "assert {'next_', 'previous', 'results'} <= set(PaginatedProductList.__annotations__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.parametrize("name", ["openapi-python-client"])
def test_the_generator_is_a_declared_dev_dependency(name):
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert f'"{name}' in pyproject
