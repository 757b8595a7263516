"""Static checks of docker/: no Docker engine runs here, and the docker client has no compose
plugin, so the compose file is checked as YAML against what the image and config expect."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from ckanext.govcat.launcher.config import template_text

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
GOVCAT_ROLES = {"web", "worker", "harvest-gather", "harvest-fetch", "harvest-scheduler"}


def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text("utf-8"))


def test_every_service_is_there_with_named_volumes():
    spec = compose()
    assert set(spec["services"]) == GOVCAT_ROLES | {"postgres", "redis", "nginx"}
    assert set(spec["volumes"]) == {"pg-data", "redis-data", "storage"}
    for name, service in spec["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source.startswith("./") or source in spec["volumes"], (name, volume)


def test_health_checks_gate_the_start_order():
    services = compose()["services"]
    for name in ("postgres", "redis", "web", "nginx"):
        assert services[name]["healthcheck"]["test"], name
    for name in GOVCAT_ROLES - {"web"}:
        assert services[name]["depends_on"]["web"]["condition"] == "service_healthy", name
    assert services["nginx"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_config_template_gets_every_variable_from_the_environment():
    """Each %(CKAN_…)s of config/govcat.ini is set for every GovCat container, and no secret
    is written into the compose file."""
    wanted = set(re.findall(r"%\((CKAN_[A-Z0-9_]+)\)s", template_text()))
    services = compose()["services"]
    for name in GOVCAT_ROLES:
        env = services[name]["environment"]
        assert wanted <= set(env), (name, wanted - set(env))
        assert services[name]["command"][0] in ("web", "worker", "harvest-gather",
                                                 "harvest-fetch", "scheduler")
    text = (DOCKER / "compose.yaml").read_text("utf-8")
    for secret in ("CKAN_SECRET_KEY", "CKAN_DB_PASSWORD", "POSTGRES_PASSWORD",
                   "CKAN_SYSADMIN_PASSWORD", "CKAN_API_TOKEN_SECRET"):
        assert re.search(rf"\$\{{{secret}:\?", text), f"{secret} must be required from .env"


def test_image_runs_as_a_non_root_user_and_copies_what_exists():
    dockerfile = (DOCKER / "Dockerfile").read_text("utf-8")
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
    for source in re.findall(r"^COPY\s+(?!--from)(\S+)", dockerfile, re.M):
        assert (ROOT / source).exists(), source


def test_entrypoint_and_init_scripts_parse():
    for script in (DOCKER / "entrypoint.sh", DOCKER / "postgres" / "init-govcat.sh"):
        done = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    entry = (DOCKER / "entrypoint.sh").read_text("utf-8")
    for role in ("web)", "migrate)", "worker)", "harvest-gather)", "harvest-fetch)",
                 "scheduler)"):
        assert role in entry
